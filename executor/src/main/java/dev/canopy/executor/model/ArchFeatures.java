package dev.canopy.executor.model;

import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What an architecture adds to the plain Llama block, as read from the model file (or llama.cpp's
 * default where the file has no key). {@link #NONE} is the plain block of {@code llama} and {@code qwen2}.
 *
 * @param qkNorm           per-head RMSNorm of Q and K before RoPE (qwen3, qwen3moe, gemma3)
 * @param moe              the mixture of experts that replaces the dense FFN, when the model has one
 * @param window           sliding-window attention on some layers (gemma2, gemma3, gpt-oss)
 * @param attnSoftcap      attention-logit soft-cap c: a score s becomes c·tanh(s/c) (gemma2)
 * @param finalSoftcap     final-logit soft-cap (gemma2)
 * @param embedScale       factor on the input embeddings (sqrt(dim) for Gemma, else 1)
 * @param postNorms        RMSNorm on the attention output and on the FFN output before each residual add (Gemma)
 * @param activation       the gated FFN's activation
 * @param attnSinks        one extra softmax logit per head with no value (gpt-oss)
 * @param attnOutputBias   a bias after the attention output projection (gpt-oss)
 * @param attnScale        the factor on q·k when not 1/sqrt(headDim) (Gemma 2 and 3 27B: 1/sqrt(dim/heads))
 */
public record ArchFeatures(boolean qkNorm, Optional<MoeSpec> moe, Optional<SlidingWindow> window,
                           OptionalDouble attnSoftcap, OptionalDouble finalSoftcap, float embedScale,
                           boolean postNorms, FfnActivation activation, boolean attnSinks, boolean attnOutputBias,
                           OptionalDouble attnScale) {

    /** The plain Llama block. */
    public static final ArchFeatures NONE = new ArchFeatures(false, Optional.empty(), Optional.empty(),
            OptionalDouble.empty(), OptionalDouble.empty(), 1f, false, FfnActivation.SILU, false, false,
            OptionalDouble.empty());

    public ArchFeatures {
        if (!(embedScale > 0)) {
            throw new IllegalArgumentException("Cannot build architecture features: embedScale must be positive, got "
                    + embedScale);
        }
        checkCap("attnSoftcap", attnSoftcap);
        checkCap("finalSoftcap", finalSoftcap);
        checkCap("attnScale", attnScale);
    }

    private static void checkCap(String name, OptionalDouble cap) {
        if (cap.isPresent() && !(cap.getAsDouble() > 0)) {
            throw new IllegalArgumentException("Cannot build architecture features: " + name
                    + " must be positive when present, got " + cap.getAsDouble());
        }
    }

    /** Whether layer {@code layer} attends over a sliding window rather than the whole sequence. */
    public boolean isLocal(int layer) {
        return window.isPresent() && window.get().isLocal(layer);
    }

    /** How many of a model's first {@code layers} layers attend over a sliding window. */
    public int localLayerCount(int layers) {
        int local = 0;
        for (int l = 0; l < layers; l++) {
            local += isLocal(l) ? 1 : 0;
        }
        return local;
    }
}
