package dev.canopy.executor.hf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.canopy.executor.gguf.ModelFormatException;
import java.nio.file.Path;
import java.util.Map;

/**
 * gpt-oss's {@code config.json} fields as llama.cpp's converter writes them: {@code sliding_window} (required) and
 * {@code intermediate_size} as the expert width. What the engine (like llama.cpp) fixes rather than reads is checked
 * instead: {@code layer_types} must alternate sliding and full attention from layer 0 (llama.cpp's pattern 2), and
 * {@code swiglu_limit} must be 7, the clamp of the engine's SwiGLU.
 */
final class HfGptOssKeys {

    /** The clamp of {@code FfnActivation.SWIGLU_OAI}, which llama.cpp hard-codes too. */
    private static final double SWIGLU_LIMIT = 7.0;

    private HfGptOssKeys() {}

    static void put(Path file, JsonNode root, String p, Map<String, Object[]> keys) {
        HfArchKeys.uint(keys, p + "attention.sliding_window", HfModelConfig.integer(file, root, "sliding_window"));
        HfArchKeys.uint(keys, p + "expert_feed_forward_length", HfModelConfig.integer(file, root, "intermediate_size"));
        JsonNode types = root.path("layer_types");
        if (types.isArray()) {
            for (int layer = 0; layer < types.size(); layer++) {
                String expected = layer % 2 == 0 ? "sliding_attention" : "full_attention";
                if (!types.get(layer).asText().equals(expected)) {
                    throw new ModelFormatException(file, "field layer_types[" + layer + "] is '" + types.get(layer).asText()
                            + "', expected '" + expected + "': Canopy's gpt-oss (as llama.cpp's) makes even layers"
                            + " sliding and odd layers full attention; other patterns are not supported");
                }
            }
        }
        if (root.hasNonNull("swiglu_limit") && HfModelConfig.number(file, root, "swiglu_limit", SWIGLU_LIMIT) != SWIGLU_LIMIT) {
            throw new ModelFormatException(file, "field swiglu_limit is " + root.get("swiglu_limit") + ": Canopy's gpt-oss"
                    + " (as llama.cpp's) clamps its SwiGLU at " + SWIGLU_LIMIT + "; other limits are not supported");
        }
    }
}
