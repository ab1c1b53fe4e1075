package dev.canopy.prefixtree;

/**
 * The dimensions of a llama-style decoder (grouped-query attention, gated FFN) that decide its cost.
 *
 * @param layers transformer blocks
 * @param hidden model (embedding) width
 * @param heads query heads
 * @param kvHeads key/value heads; divides {@code heads}
 * @param headDim width of one head
 * @param ffn inner width of the gated feed-forward block
 * @param vocab vocabulary size (rows of the output projection)
 * @param bytesPerWeight stored bytes per weight (2 for F16, about 1.06 for Q8_0)
 * @param kvBytesPerElement stored bytes per KV cache element (2 for F16, 4 for F32)
 * @param localLayers how many of the layers attend over a sliding window only (gemma2/3, gpt-oss); 0 for none. The
 *     engine keeps their KV in a pool of its own and gives back what left the window, so a sequence holds at most
 *     {@code window} tokens of it
 * @param window the sliding window in tokens when {@code localLayers > 0}; 0 otherwise
 */
public record ModelShape(
        int layers, int hidden, int heads, int kvHeads, int headDim, int ffn, int vocab,
        double bytesPerWeight, double kvBytesPerElement, int localLayers, int window) {

    /** A model whose every layer attends over the whole context. */
    public ModelShape(int layers, int hidden, int heads, int kvHeads, int headDim, int ffn, int vocab,
            double bytesPerWeight, double kvBytesPerElement) {
        this(layers, hidden, heads, kvHeads, headDim, ffn, vocab, bytesPerWeight, kvBytesPerElement, 0, 0);
    }

    public ModelShape {
        requirePositive("layers", layers);
        requirePositive("hidden", hidden);
        requirePositive("heads", heads);
        requirePositive("kvHeads", kvHeads);
        requirePositive("headDim", headDim);
        requirePositive("ffn", ffn);
        requirePositive("vocab", vocab);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("Cannot create model shape: heads " + heads + " is not a multiple of kvHeads " + kvHeads);
        }
        if (!(bytesPerWeight > 0) || !(kvBytesPerElement > 0)) {
            throw new IllegalArgumentException("Cannot create model shape: bytesPerWeight " + bytesPerWeight
                    + " and kvBytesPerElement " + kvBytesPerElement + " must be > 0");
        }
        if (localLayers < 0 || localLayers > layers || (localLayers > 0) != (window > 0) || window < 0) {
            throw new IllegalArgumentException("Cannot create model shape: localLayers " + localLayers + " must be in 0.."
                    + layers + " and window " + window + " > 0 exactly when localLayers > 0");
        }
    }

    /** Weights in one block: q, k, v, o projections and the three FFN matrices (norms ignored). */
    public long layerParameters() {
        long q = (long) hidden * heads * headDim;
        long kv = 2L * hidden * kvHeads * headDim;
        long o = (long) heads * headDim * hidden;
        long gatedFfn = 3L * hidden * ffn;
        return q + kv + o + gatedFfn;
    }

    /** Weights read by every forward step: all blocks plus the output projection (the embedding is only gathered). */
    public long steppedParameters() {
        return layers * layerParameters() + (long) vocab * hidden;
    }

    /** Bytes of KV cache one token occupies across all layers: keys and values (what every token writes). */
    public double kvBytesPerToken() {
        return 2.0 * layers * kvHeads * headDim * kvBytesPerElement;
    }

    /** Bytes one token's keys and values take in the layers that see the whole context. */
    public double globalKvBytesPerToken() {
        return 2.0 * (layers - localLayers) * kvHeads * headDim * kvBytesPerElement;
    }

    /** Bytes one token's keys and values take in the sliding-window layers; 0 without a window. */
    public double localKvBytesPerToken() {
        return 2.0 * localLayers * kvHeads * headDim * kvBytesPerElement;
    }

    /**
     * KV bytes one sequence of {@code contextTokens} tokens holds, which is also what one of its steps reads: every
     * token in the global layers, the last {@code window} in the local ones.
     */
    public double sequenceKvBytes(long contextTokens) {
        long local = localLayers == 0 ? 0 : Math.min(contextTokens, window);
        return contextTokens * globalKvBytesPerToken() + local * localKvBytesPerToken();
    }

    private static void requirePositive(String field, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("Cannot create model shape: " + field + " is " + value + "; it must be > 0");
        }
    }
}
