package dev.canopy.executor.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.ModelFormatException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A checkpoint's {@code config.json} as GGUF metadata: {@code model_type} picks the GGUF
 * architecture (llama, mistral → llama; qwen2; qwen3; qwen3_moe → qwen3moe; mixtral → llama;
 * gemma2; gemma3_text/gemma3 → gemma3; phi3; gpt_oss → gpt-oss) and the hyper-parameters become
 * {@code <arch>.*} keys. A missing or mistyped field names the file and the field.
 */
public record HfModelConfig(String modelType, String ggufArch, int heads, int kvHeads, boolean tiedEmbeddings,
        Map<String, Object[]> ggufKeys, int experts, Optional<float[]> ropeFactors) {

    /** HF {@code model_type} → GGUF {@code general.architecture}. */
    static final Map<String, String> ARCHITECTURES = Map.ofEntries(Map.entry("llama", "llama"), Map.entry("mistral", "llama"),
            Map.entry("mixtral", "llama"), Map.entry("qwen2", "qwen2"), Map.entry("qwen3", "qwen3"),
            Map.entry("qwen3_moe", "qwen3moe"), Map.entry("gemma2", "gemma2"), Map.entry("gemma3", "gemma3"),
            Map.entry("gemma3_text", "gemma3"), Map.entry("phi3", "phi3"), Map.entry("gpt_oss", "gpt-oss"));

    /** Whether Q and K rows are stored in HF's rotary order and need llama.cpp's permutation (llama-style rope). */
    public boolean permutesQk() {
        return ggufArch.equals("llama");
    }

    /** Reads {@code config.json} (already parsed). */
    public static HfModelConfig of(Path file, JsonNode config) {
        JsonNode root = config.has("text_config") ? config.get("text_config") : config; // gemma3 multimodal wraps it
        String modelType = text(file, config, "model_type");
        String arch = ARCHITECTURES.get(modelType);
        if (arch == null) {
            throw new ModelFormatException(file, "field model_type: expected one of " + ARCHITECTURES.keySet().stream()
                    .sorted().toList() + ", found '" + modelType + "'");
        }
        int dim = integer(file, root, "hidden_size");
        int heads = integer(file, root, "num_attention_heads");
        int kvHeads = root.has("num_key_value_heads") ? integer(file, root, "num_key_value_heads") : heads;
        Map<String, Object[]> keys = new LinkedHashMap<>();
        keys.put("general.architecture", new Object[] {GgufValueType.STRING, arch});
        put(keys, arch + ".embedding_length", dim);
        put(keys, arch + ".block_count", integer(file, root, "num_hidden_layers"));
        put(keys, arch + ".attention.head_count", heads);
        put(keys, arch + ".attention.head_count_kv", kvHeads);
        put(keys, arch + ".feed_forward_length", integer(file, root, "intermediate_size"));
        put(keys, arch + ".context_length", integer(file, root, "max_position_embeddings"));
        if (root.has("head_dim") && !root.get("head_dim").isNull()) {
            put(keys, arch + ".attention.key_length", integer(file, root, "head_dim"));
            put(keys, arch + ".attention.value_length", integer(file, root, "head_dim"));
        }
        keys.put(arch + ".attention.layer_norm_rms_epsilon",
                new Object[] {GgufValueType.FLOAT32, (float) number(file, root, "rms_norm_eps", 1e-6)});
        keys.put(arch + ".rope.freq_base", new Object[] {GgufValueType.FLOAT32, (float) number(file, root, "rope_theta", 10000)});
        int experts = 0;
        for (String moe : List.of("num_local_experts", "num_experts")) {
            if (root.has(moe)) {
                experts = integer(file, root, moe);
                put(keys, arch + ".expert_count", experts);
                put(keys, arch + ".expert_used_count", integer(file, root, "num_experts_per_tok"));
            }
        }
        HfArchKeys.put(file, root, arch, keys);
        boolean tied = root.path("tie_word_embeddings").asBoolean(config.path("tie_word_embeddings").asBoolean(false));
        int headDim = root.hasNonNull("head_dim") ? integer(file, root, "head_dim") : dim / heads;
        if (root.hasNonNull("partial_rotary_factor")) { // Phi-3.5/Phi-4-mini rotate only part of each head
            put(keys, arch + ".rope.dimension_count", (int) (number(file, root, "partial_rotary_factor", 1) * headDim));
        }
        Optional<float[]> ropeFactors = HfArchKeys.ropeScalingType(root).equals("llama3")
                ? Optional.of(Llama3RopeFactors.of(file, root.get("rope_scaling"), number(file, root, "rope_theta", 10000),
                        headDim))
                : Optional.empty();
        return new HfModelConfig(modelType, arch, heads, kvHeads, tied, keys, experts, ropeFactors);
    }

    private static void put(Map<String, Object[]> keys, String key, int value) {
        keys.put(key, new Object[] {GgufValueType.UINT32, value});
    }

    private static String text(Path file, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new ModelFormatException(file, "field " + field + ": expected a string, found " + v);
        }
        return v.textValue();
    }

    static int integer(Path file, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() <= 0) {
            throw new ModelFormatException(file, "field " + field + ": expected a positive integer, found " + v);
        }
        return v.intValue();
    }

    static double number(Path file, JsonNode node, String field, double defaultValue) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isNumber() || !(v.doubleValue() > 0)) {
            throw new ModelFormatException(file, "field " + field + ": expected a positive number, found " + v);
        }
        return v.doubleValue();
    }
}
