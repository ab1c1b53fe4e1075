package dev.canopy.executor.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The GGUF form of each byte-level {@code tokenizer.json} (tokens, token types and merges as
 * llama.cpp's converter writes them, with the {@code tokenizer.ggml.pre} name it gives that
 * vocabulary) encodes the corpus to the same reference ids through {@link TokenizerLoader}.
 */
class GgufFormOfTokenizerJsonTest {

    /** Reference tokenizer → the {@code tokenizer.ggml.pre} llama.cpp's converter writes for it. */
    static final Map<String, String> PRE_NAMES = Map.of("llama3", "llama-bpe", "llama3_1", "llama-bpe", "qwen3", "qwen2",
            "deepseek_v3", "deepseek-v3", "gpt4o", "gpt-4o");
    static final List<String> NAMES = PRE_NAMES.keySet().stream().sorted().toList();

    @ParameterizedTest
    @FieldSource("NAMES")
    void encodesTheCorpusAsTheReferenceDoes(String name) {
        Tokenizer tokenizer = TokenizerLoader.load(ggufMetadata(name).build());
        for (HfReferenceTokenizers.Line line : HfReferenceTokenizers.expected(name)) {
            if (name.equals("qwen3") && !Normalizer.isNormalized(line.text(), Normalizer.Form.NFC)) {
                continue; // tokenizer.json normalizes to NFC; a GGUF has no normalizer (llama.cpp does not either)
            }
            assertThat(tokenizer.encode(line.text(), false, true)).as("%s (GGUF form): %s", name, line.text())
                    .containsExactly(line.withoutSpecial());
        }
    }

    /** The {@code tokenizer.ggml.*} keys of a reference tokenizer.json. */
    private static TokenizerMetadata ggufMetadata(String name) {
        JsonNode root = HfTokenizerLoader.readJson(HfReferenceTokenizers.resource(name + ".tokenizer.json.gz"));
        List<String> tokens = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        root.get("model").get("vocab").properties().forEach(e -> put(tokens, types, e.getValue().intValue(), e.getKey(),
                TokenType.NORMAL));
        for (JsonNode added : root.get("added_tokens")) {
            put(tokens, types, added.get("id").intValue(), added.get("content").textValue(),
                    added.get("special").booleanValue() ? TokenType.CONTROL : TokenType.USER_DEFINED);
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode merge : root.get("model").get("merges")) {
            merges.add(merge.isTextual() ? merge.textValue() : merge.get(0).textValue() + " " + merge.get(1).textValue());
        }
        return TokenizerMetadata.empty()
                .string(TokenizerLoader.MODEL, "gpt2")
                .string(TokenizerLoader.PRE, PRE_NAMES.get(name))
                .strings(TokenizerLoader.TOKENS, tokens)
                .ints(TokenizerLoader.TOKEN_TYPE, types.stream().mapToInt(Integer::intValue).toArray())
                .strings(TokenizerLoader.MERGES, merges)
                .uint32(TokenizerLoader.BOS_ID, 0);
    }

    /** Sets token {@code id}; ids nothing names become unused slots, as llama.cpp's converter writes them. */
    private static void put(List<String> tokens, List<Integer> types, int id, String text, TokenType type) {
        while (tokens.size() <= id) {
            tokens.add("[PAD" + tokens.size() + "]");
            types.add(TokenType.UNUSED.code());
        }
        tokens.set(id, text);
        types.set(id, type.code());
    }
}
