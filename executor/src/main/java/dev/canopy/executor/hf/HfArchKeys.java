package dev.canopy.executor.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.ModelFormatException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code config.json} fields only some architectures have, as the GGUF keys llama.cpp's
 * {@code convert_hf_to_gguf.py} writes for them: Qwen3-MoE's expert width, Gemma's sliding window,
 * soft-caps and local RoPE base, gpt-oss's ({@link HfGptOssKeys}). RoPE scaling other than Llama 3's (which becomes
 * {@code rope_freqs.weight}, see {@link Llama3RopeFactors}) is refused: the engine does not
 * implement it, and a model converted without it would generate wrong text.
 */
final class HfArchKeys {

    private HfArchKeys() {}

    static void put(Path file, JsonNode root, String arch, Map<String, Object[]> keys) {
        String p = arch + ".";
        switch (arch) {
            case "qwen3moe" -> {
                uint(keys, p + "expert_feed_forward_length", HfModelConfig.integer(file, root, "moe_intermediate_size"));
                if (!root.path("norm_topk_prob").asBoolean(true)) {
                    throw new ModelFormatException(file, "field norm_topk_prob is false: Canopy's qwen3moe (as llama.cpp's)"
                            + " always renormalizes the chosen experts' weights; use a checkpoint with norm_topk_prob true");
                }
            }
            case "gemma2" -> {
                optionalUint(file, root, "sliding_window", p + "attention.sliding_window", keys);
                optionalFloat(file, root, "attn_logit_softcapping", p + "attn_logit_softcapping", keys);
                optionalFloat(file, root, "final_logit_softcapping", p + "final_logit_softcapping", keys);
            }
            case "gemma3" -> {
                optionalUint(file, root, "sliding_window", p + "attention.sliding_window", keys);
                optionalFloat(file, root, "final_logit_softcapping", p + "final_logit_softcapping", keys);
                optionalFloat(file, root, "rope_local_base_freq", p + "rope.freq_base_swa", keys);
            }
            case "gpt-oss" -> HfGptOssKeys.put(file, root, p, keys);
            default -> { }
        }
        refuseRopeScaling(file, root);
    }

    /** {@code rope_scaling}: absent, null, {@code default} or Llama 3's; anything else is refused by name. */
    private static void refuseRopeScaling(Path file, JsonNode root) {
        String type = ropeScalingType(root);
        if (!type.equals("default") && !type.equals("llama3")) {
            throw new ModelFormatException(file, "field rope_scaling.rope_type is '" + type + "': Canopy does not implement"
                    + " this RoPE scaling yet and running without it would give wrong outputs; supported: default, llama3");
        }
    }

    /** The {@code rope_scaling} type ({@code rope_type}, or the older {@code type}), {@code default} when none. */
    static String ropeScalingType(JsonNode root) {
        JsonNode scaling = root.path("rope_scaling");
        if (!scaling.isObject()) {
            return "default";
        }
        return scaling.path("rope_type").asText(scaling.path("type").asText("default"));
    }

    private static void optionalUint(Path file, JsonNode root, String field, String key, Map<String, Object[]> keys) {
        if (root.hasNonNull(field)) {
            uint(keys, key, HfModelConfig.integer(file, root, field));
        }
    }

    private static void optionalFloat(Path file, JsonNode root, String field, String key, Map<String, Object[]> keys) {
        if (root.hasNonNull(field)) {
            keys.put(key, new Object[] {GgufValueType.FLOAT32, (float) HfModelConfig.number(file, root, field, 0)});
        }
    }

    static void uint(Map<String, Object[]> keys, String key, int value) {
        keys.put(key, new Object[] {GgufValueType.UINT32, value});
    }
}
