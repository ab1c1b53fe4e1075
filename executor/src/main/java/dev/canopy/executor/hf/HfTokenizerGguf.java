package dev.canopy.executor.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.canopy.executor.gguf.GgufArray;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.tokenizer.HfTokenizer;
import dev.canopy.executor.tokenizer.TokenizerLoader;
import dev.canopy.executor.tokenizer.Vocabulary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@code tokenizer.json} as the {@code tokenizer.ggml.*} keys llama.cpp's converter
 * writes: byte-level BPE as model {@code gpt2} with its merges and the {@code tokenizer.ggml.pre}
 * name of its Split regexes; SentencePiece-style BPE (byte fallback) as model {@code llama} with
 * scores that order pieces as the merge ranks do. A pre-tokenizer with no GGUF name is refused.
 */
public final class HfTokenizerGguf {

    /** Split regexes (in order) of known tokenizer.json files → the {@code tokenizer.ggml.pre} llama.cpp gives them. */
    private static final Map<List<String>, String> PRE_NAMES = Map.of(
            List.of("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"), "llama-bpe",
            List.of("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"), "qwen2",
            List.of("\\p{N}{1,3}", "[一-龥぀-ゟ゠-ヿ]+", "[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+"
                    + "|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+| ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"),
                    "deepseek-v3",
            List.of("[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+"
                    + "(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+"
                    + "[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*"
                    + "|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"), "gpt-4o",
            List.of(), "gpt2");

    private HfTokenizerGguf() {}

    /**
     * Adds the tokenizer keys of {@code tokenizer} (loaded from {@code json}) to {@code writer}.
     *
     * @param eosIds end ids from generation_config.json, which take precedence over tokenizer_config's eos_token
     */
    public static void write(Path file, JsonNode json, HfTokenizer tokenizer, List<Integer> eosIds, GgufWriter writer) {
        Vocabulary vocab = tokenizer.vocabulary();
        int n = vocab.size();
        String[] tokens = new String[n];
        int[] types = new int[n];
        for (int id = 0; id < n; id++) {
            tokens[id] = vocab.text(id).isEmpty() ? "[PAD" + id + "]" : vocab.text(id);
            types[id] = vocab.type(id).code();
        }
        List<String> merges = merges(json.path("model").path("merges"));
        boolean byteLevel = json.toString().contains("\"type\":\"ByteLevel\"");
        if (byteLevel) {
            writer.putString(TokenizerLoader.MODEL, "gpt2").putString(TokenizerLoader.PRE, preName(file, json));
            writer.putArray(TokenizerLoader.MERGES, new GgufArray(GgufValueType.STRING, merges.toArray(String[]::new)));
        } else {
            writer.putString(TokenizerLoader.MODEL, "llama");
            writer.putArray(TokenizerLoader.SCORES, new GgufArray(GgufValueType.FLOAT32, scores(tokens, merges)));
            writer.putBool(TokenizerLoader.ADD_SPACE_PREFIX, json.toString().contains("\"prepend\":\"▁\"")
                    || json.path("pre_tokenizer").path("type").asText().equals("Metaspace"));
        }
        writer.putArray(TokenizerLoader.TOKENS, new GgufArray(GgufValueType.STRING, tokens));
        writer.putArray(TokenizerLoader.TOKEN_TYPE, new GgufArray(GgufValueType.INT32, types));
        writer.putUint32(TokenizerLoader.BOS_ID, vocab.specialIds().bos());
        int eos = eosIds.isEmpty() ? vocab.specialIds().eos().orElse(-1) : eosIds.getFirst();
        if (eos >= 0) {
            writer.putUint32(TokenizerLoader.EOS_ID, eos);
        }
        if (eosIds.size() > 1) {
            writer.putUint32(TokenizerLoader.EOT_ID, eosIds.get(1));
        }
        vocab.specialIds().unknown().ifPresent(id -> writer.putUint32(TokenizerLoader.UNKNOWN_ID, id));
        writer.putBool(TokenizerLoader.ADD_BOS, tokenizer.addBosByDefault());
    }

    private static List<String> merges(JsonNode merges) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : merges) {
            out.add(m.isTextual() ? m.textValue() : m.get(0).asText() + " " + m.get(1).asText());
        }
        return out;
    }

    /** The GGUF pre-tokenizer name of the Split regexes in {@code pre_tokenizer}. */
    private static String preName(Path file, JsonNode json) {
        List<String> regexes = new ArrayList<>();
        json.path("pre_tokenizer").findValues("Regex").forEach(r -> regexes.add(r.asText()));
        String name = PRE_NAMES.get(regexes);
        if (name == null) {
            throw new ModelFormatException(file, "field pre_tokenizer: no GGUF pre-tokenizer is known for the Split regexes "
                    + regexes + "; known: " + PRE_NAMES.values().stream().sorted().toList());
        }
        return name;
    }

    /** SentencePiece scores: a piece made by merge rank r scores -r, so earlier merges win; other pieces score lowest. */
    private static float[] scores(String[] tokens, List<String> merges) {
        Map<String, Integer> firstRank = new HashMap<>();
        for (int rank = 0; rank < merges.size(); rank++) {
            firstRank.putIfAbsent(merges.get(rank).replace(" ", ""), rank);
        }
        float[] scores = new float[tokens.length];
        for (int id = 0; id < tokens.length; id++) {
            Integer rank = firstRank.get(tokens[id]);
            scores[id] = rank != null ? -rank : -(merges.size() + 1f + id);
        }
        return scores;
    }
}
