package dev.canopy.executor.model;

import dev.canopy.executor.kv.KvShape;

/**
 * The dimensions and hyper-parameters of a decoder-only transformer, read from a model file.
 *
 * @param architecture GGUF architecture name ({@code llama}, {@code qwen2})
 * @param dim model (embedding) width
 * @param layers number of transformer blocks
 * @param heads query heads
 * @param kvHeads key/value heads (GQA when fewer than {@code heads})
 * @param headDim width of one head
 * @param ffn hidden width of the feed-forward network
 * @param vocab vocabulary size
 * @param contextLength longest sequence the model was trained for (prompt + completion)
 * @param rmsEps RMSNorm epsilon
 * @param ropeTheta RoPE frequency base
 * @param ropeDim number of leading elements of each head that RoPE rotates
 * @param ropeStyle pairing of rotated elements
 * @param qkvBias whether Q, K and V projections have biases (qwen2, gpt-oss)
 * @param features what the architecture adds to the plain Llama block ({@link ArchFeatures#NONE} for none)
 */
public record ModelConfig(String architecture, int dim, int layers, int heads, int kvHeads, int headDim, int ffn,
                          int vocab, int contextLength, float rmsEps, float ropeTheta, int ropeDim,
                          RopeStyle ropeStyle, boolean qkvBias, ArchFeatures features) implements KvShape {

    /** A plain Llama-block config (no {@link ArchFeatures}). */
    public ModelConfig(String architecture, int dim, int layers, int heads, int kvHeads, int headDim, int ffn,
                       int vocab, int contextLength, float rmsEps, float ropeTheta, int ropeDim,
                       RopeStyle ropeStyle, boolean qkvBias) {
        this(architecture, dim, layers, heads, kvHeads, headDim, ffn, vocab, contextLength, rmsEps, ropeTheta,
                ropeDim, ropeStyle, qkvBias, ArchFeatures.NONE);
    }

    public ModelConfig {
        if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || headDim <= 0 || ffn <= 0 || vocab <= 0
                || contextLength <= 0) {
            throw new IllegalArgumentException("Cannot build model config: every dimension must be positive, got "
                    + "dim=" + dim + " layers=" + layers + " heads=" + heads + " kvHeads=" + kvHeads + " headDim="
                    + headDim + " ffn=" + ffn + " vocab=" + vocab + " contextLength=" + contextLength);
        }
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("Cannot build model config: heads (" + heads
                    + ") must be a multiple of kvHeads (" + kvHeads + ")");
        }
        if (ropeDim <= 0 || ropeDim > headDim || ropeDim % 2 != 0) {
            throw new IllegalArgumentException("Cannot build model config: ropeDim must be even and in [2, headDim="
                    + headDim + "], got " + ropeDim);
        }
    }

    /** Width of all key (or value) heads together. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Width of all query heads together (equals {@code dim} for most models). */
    public int qDim() {
        return heads * headDim;
    }

    /** Query heads served by each KV head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    /** Bytes of F32 KV cache one token takes across all layers (keys and values). */
    public long kvBytesPerToken() {
        return 2L * layers * kvDim() * Float.BYTES;
    }
}
