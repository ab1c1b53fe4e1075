package dev.canopy.executor.tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits text into words before byte-level BPE, by the regex that {@code tokenizer.ggml.pre} names.
 * {@code \s} is Unicode whitespace ({@code \p{IsWhite_Space}}, as in llama.cpp and Hugging Face
 * tokenizers; Java's own {@code \s} is ASCII only), {@code \p{L}}/{@code \p{N}} are the Unicode
 * letter/number categories, and contractions match either case of ASCII letters only.
 */
enum BpePreTokenizer {

    /** GPT-2's split. */
    GPT2(List.of("default", "gpt2", "gpt-2"),
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"),
    /** Llama 3's split: numbers in groups of up to three digits. */
    LLAMA3(List.of("llama-bpe"), contractions() + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
    /** Qwen2's split: like Llama 3 but one digit per word. */
    QWEN2(List.of("qwen2"), contractions() + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");

    private final List<String> names;
    private final Pattern pattern;

    BpePreTokenizer(List<String> names, String regex) {
        this.names = names;
        this.pattern = Pattern.compile(regex.replace("\\s", "\\p{IsWhite_Space}").replace("\\S", "\\P{IsWhite_Space}"));
    }

    /** The pre-tokenizer that a {@code tokenizer.ggml.pre} value names. */
    static Optional<BpePreTokenizer> named(String name) {
        return Arrays.stream(values()).filter(p -> p.names.contains(name)).findFirst();
    }

    /** All accepted {@code tokenizer.ggml.pre} values. */
    static List<String> supportedNames() {
        return Arrays.stream(values()).flatMap(p -> p.names.stream()).toList();
    }

    /** Splits {@code text} into words; text the regex does not match becomes a word of its own, so nothing is lost. */
    List<String> split(String text) {
        List<String> words = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        int end = 0;
        while (m.find()) {
            if (m.start() > end) {
                words.add(text.substring(end, m.start()));
            }
            if (m.end() > m.start()) {
                words.add(m.group());
            }
            end = m.end();
        }
        if (end < text.length()) {
            words.add(text.substring(end));
        }
        return words;
    }

    private static String contractions() {
        return "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";
    }
}
