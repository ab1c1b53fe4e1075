package dev.canopy.executor.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import java.util.Map;

/**
 * The {@code config.json} Hugging Face's transformers would write for a GGUF's model: the
 * {@code model_type} of the architecture (Mixtral for a llama file with experts, {@code gemma3_text}
 * for gemma3) and the hyper-parameters under transformers' field names.
 */
final class CheckpointConfigJson {

    /** GGUF architecture → HF model_type (a llama file with experts is Mixtral). */
    private static final Map<String, String> MODEL_TYPES = Map.of("llama", "llama", "qwen3", "qwen3",
            "qwen3moe", "qwen3_moe", "gemma2", "gemma2", "gemma3", "gemma3_text", "phi3", "phi3", "gpt-oss", "gpt_oss");

    /** HF field → GGUF key suffix, for the integer hyper-parameters present in a file. */
    private static final Map<String, String> INTS = Map.ofEntries(Map.entry("hidden_size", "embedding_length"),
            Map.entry("num_hidden_layers", "block_count"), Map.entry("num_attention_heads", "attention.head_count"),
            Map.entry("num_key_value_heads", "attention.head_count_kv"),
            Map.entry("intermediate_size", "feed_forward_length"), Map.entry("max_position_embeddings", "context_length"),
            Map.entry("head_dim", "attention.key_length"), Map.entry("sliding_window", "attention.sliding_window"),
            Map.entry("num_experts_per_tok", "expert_used_count"),
            Map.entry("moe_intermediate_size", "expert_feed_forward_length"));
    private static final Map<String, String> FLOATS = Map.of("rms_norm_eps", "attention.layer_norm_rms_epsilon",
            "rope_theta", "rope.freq_base", "attn_logit_softcapping", "attn_logit_softcapping",
            "final_logit_softcapping", "final_logit_softcapping");

    private CheckpointConfigJson() {}

    /** The HF model_type of {@code file}'s architecture. */
    static String modelType(GgufFile file) {
        String arch = file.metadata().getString("general.architecture");
        boolean experts = file.metadata().has(arch + ".expert_count");
        return arch.equals("llama") && experts ? "mixtral" : MODEL_TYPES.get(arch);
    }

    static ObjectNode of(GgufFile file, ObjectMapper json) {
        GgufMetadata m = file.metadata();
        String arch = m.getString("general.architecture");
        String p = arch + ".";
        String modelType = modelType(file);
        ObjectNode config = json.createObjectNode().put("model_type", modelType)
                .put("vocab_size", file.tensor("token_embd.weight").dim(1))
                .put("tie_word_embeddings", !file.hasTensor("output.weight"));
        INTS.forEach((hf, key) -> {
            if (m.has(p + key)) {
                config.put(hf, m.getInt(p + key, 1));
            }
        });
        FLOATS.forEach((hf, key) -> m.getDoubleOpt(p + key).ifPresent(v -> config.put(hf, v)));
        if (m.has(p + "expert_count")) {
            boolean local = modelType.equals("mixtral") || modelType.equals("gpt_oss");
            config.put(local ? "num_local_experts" : "num_experts", m.getInt(p + "expert_count", 1));
        }
        if (modelType.equals("qwen3_moe")) {
            config.put("norm_topk_prob", true);
        }
        if (modelType.equals("gemma3_text")) { // llama.cpp's (and transformers') defaults for a file without the keys
            config.put("sliding_window_pattern", 6).put("rope_local_base_freq", 10000.0);
        }
        if (modelType.equals("gpt_oss")) { // transformers' GptOssConfig: alternating layers, biases, the SwiGLU clamp
            var types = config.putArray("layer_types");
            for (int layer = 0; layer < m.getInt(p + "block_count", 1); layer++) {
                types.add(layer % 2 == 0 ? "sliding_attention" : "full_attention");
            }
            config.put("attention_bias", true).put("swiglu_limit", 7.0).put("hidden_act", "silu");
        }
        return config;
    }
}
