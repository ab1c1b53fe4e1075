package dev.canopy.executor.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Splits text into words before byte-level BPE, by the regexes that {@code tokenizer.ggml.pre} names
 * (llama.cpp's {@code llm_tokenizer_bpe} list in {@code llama-vocab.cpp}). Each regex splits every
 * word the previous one left: its matches and the text between them become words. {@code \s} is
 * Unicode whitespace ({@code \p{IsWhite_Space}}, as in llama.cpp and Hugging Face tokenizers; Java's
 * own {@code \s} is ASCII only), {@code \p{L}}/{@code \p{N}} are the Unicode letter/number
 * categories, and contractions match either case of ASCII letters only.
 */
enum BpePreTokenizer {

    /** GPT-2's split. */
    GPT2(List.of("default", "gpt2", "gpt-2", "mpt", "olmo", "jais", "phi-2", "roberta-bpe", "gpt-neox", "jina-es", "jina-de",
            "jina-v1-en", "jina-v2-es", "jina-v2-de", "jina-v2-code", "gigachat"), false, gpt2()),
    /** Llama 3's split: numbers in groups of up to three digits; a word that is a token skips the merges. */
    LLAMA3(List.of("llama-bpe", "llama3", "llama-v3", "falcon3", "dbrx", "smaug-bpe", "chatglm-bpe"), true,
            contractions() + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** Qwen2's split: like Llama 3 but one digit per word. */
    QWEN2(List.of("qwen2", "deepseek-r1-qwen", "stablelm2", "megrez"), false,
            contractions() + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
                    + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** DeepSeek LLM (v1/v2). */
    DEEPSEEK_LLM(List.of("deepseek-llm"), false, "[\r\n]",
            "\\s?[A-Za-z\u00b5\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u01ba\u01bc-\u01bf\u01c4-\u0293\u0295-\u02af\u0370-\u0373\u0376\u0377\u037b-\u037d\u037f\u0386\u0388-\u038a\u038c\u038e-\u03a1\u03a3-\u03f5\u03f7-\u0481\u048a-\u052f\u0531-\u0556\u10a0-\u10c5\u13a0-\u13f5\u13f8-\u13fd\u1c90-\u1cba\u1cbd-\u1cbf\u1d00-\u1d2b\u1d6b-\u1d77\u1d79-\u1d9a\u1e00-\u1f15\u1f18-\u1f1d\u1f20-\u1f45\u1f48-\u1f4d\u1f50-\u1f57\u1f59\u1f5b\u1f5d\u1f5f-\u1f7d\u1f80-\u1fb4\u1fb6-\u1fbc\u1fbe\u1fc2-\u1fc4\u1fc6-\u1fcc\u1fd0-\u1fd3\u1fd6-\u1fdb\u1fe0-\u1fec\u1ff2-\u1ff4\u1ff6-\u1ffc\u2102\u2107\u210a-\u2113\u2115\u2119-\u211d\u2124\u2126\u2128\u212a-\u212d\u212f-\u2134\u2139\u213c-\u213f\u2145-\u2149\u214e\u2183\u2184\u2c00-\u2c7b\u2c7e-\u2ce4\u2ceb-\u2cee\u2cf2\u2cf3\ua640-\ua66d\ua680-\ua69b\ua722-\ua76f\ua771-\ua787\ua78b-\ua78e\uab70-\uabbf\ufb00-\ufb06\ufb13-\ufb17\uff21-\uff3a\uff41-\uff5a\ud801\udc00-\ud801\udc4f\ud801\udcb0-\ud801\udcd3\ud801\udcd8-\ud801\udcfb\ud803\udc80-\ud803\udcb2\ud803\udcc0-\ud803\udcf2\ud806\udca0-\ud806\udcdf\ud83a\udd00-\ud83a\udd43]+",
            "\\s?[!-/:-~\uff01-\uff0f\uff1a-\uff5e\u2018-\u201f\u3000-\u3002]+",
            "\\s+$",
            "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+",
            "\\p{N}+"),
    /** DeepSeek Coder. */
    DEEPSEEK_CODER(List.of("deepseek-coder"), false, "[\r\n]",
            "\\s?\\p{L}+",
            "\\s?\\p{P}+",
            "[\u4e00-\u9fa5\u0800-\u4e00\uac00-\ud7ff]+",
            "\\p{N}"),
    /** DeepSeek V3 / R1: the three Split steps of its tokenizer.json. */
    DEEPSEEK_V3(List.of("deepseek-v3"), false, "\\p{N}{1,3}",
            "[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+",
            "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"),
    /** Falcon. */
    FALCON(List.of("falcon"), false, "[\\p{P}\\$\\+<=>\\^~\\|`]+",
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)", "[0-9][0-9][0-9]"),
    /** StarCoder and the vocabularies llama.cpp splits the same way: digits one by one, then GPT-2. */
    STARCODER(List.of("starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b"), false, "\\p{N}",
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)"),
    /** BLOOM, Poro, GPT-3 Finnish. */
    BLOOM(List.of("bloom", "poro-chat", "gpt3-finnish"), false, " ?[^(\\s|.,!?…。，、।۔،)]+"),
    /** Viking. */
    VIKING(List.of("viking"), false, " ?[^(\\s|.,!?…。，、।۔،)]+", "\\p{N}"),
    /** Mistral's Tekken (the tokenizer.json regex; Java has the case categories llama.cpp emulates). */
    TEKKEN(List.of("tekken"), true, "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
            + "|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** GPT-4o (o200k): the tokenizer.json regex, with contractions after words. */
    GPT4O(List.of("gpt-4o"), false, "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
            + contractions() + "?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*"
            + contractions() + "?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** Chameleon. */
    CHAMELEON(List.of("chameleon"), false, "<sentinel:[0-9]+>", "(IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z", "([\\t\\n]|    |  )",
            "\\p{N}", "[\\p{P}!-/:-@\\[-`{-~]", "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)");

    private final List<String> names;
    private final boolean ignoreMerges;
    private final List<HfSplit> steps;

    BpePreTokenizer(List<String> names, boolean ignoreMerges, String... regexes) {
        this.names = names;
        this.ignoreMerges = ignoreMerges;
        this.steps = Arrays.stream(regexes)
                .map(r -> new HfSplit(Pattern.compile(HfRegex.unicodeWhitespace(r)), HfSplit.Behaviour.ISOLATED, false))
                .toList();
    }

    /** The pre-tokenizer that a {@code tokenizer.ggml.pre} value names. */
    static Optional<BpePreTokenizer> named(String name) {
        return Arrays.stream(values()).filter(p -> p.names.contains(name)).findFirst();
    }

    /** All accepted {@code tokenizer.ggml.pre} values. */
    static List<String> supportedNames() {
        return Arrays.stream(values()).flatMap(p -> p.names.stream()).toList();
    }

    /** Whether a word that is itself a token is emitted without merging (llama.cpp's {@code ignore_merges}). */
    boolean ignoresMerges() {
        return ignoreMerges;
    }

    /** Splits {@code text} into words; text no regex matches becomes a word of its own, so nothing is lost. */
    List<String> split(String text) {
        List<String> words = List.of(text);
        for (HfSplit step : steps) {
            List<String> next = new ArrayList<>();
            for (String word : words) {
                next.addAll(step.split(word));
            }
            words = next;
        }
        return words;
    }

    private static String gpt2() {
        return "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    }

    private static String contractions() {
        return "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
    }
}
