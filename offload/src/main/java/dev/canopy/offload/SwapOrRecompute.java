package dev.canopy.offload;

import java.util.Objects;

/**
 * Chooses, per preempted sequence, between swapping its KV down a tier and recomputing it: swapping costs the bytes
 * written plus read back at the tier's bandwidth; recomputing costs the prefill FLOPs at the engine's measured FLOP
 * rate. Immutable.
 *
 * @param mode                    cost model or a forced choice
 * @param recomputeFlopsPerSecond sustained prefill speed of the engine, positive
 */
public record SwapOrRecompute(SwapMode mode, double recomputeFlopsPerSecond) {

    public SwapOrRecompute {
        Objects.requireNonNull(mode, "mode");
        if (!(recomputeFlopsPerSecond > 0) || Double.isInfinite(recomputeFlopsPerSecond)) {
            throw new IllegalArgumentException("Cannot configure swap-or-recompute: recomputeFlopsPerSecond must be "
                    + "positive and finite, got " + recomputeFlopsPerSecond);
        }
    }

    /**
     * Decides for one sequence.
     *
     * @param bytesToMove    KV bytes the sequence holds (blocks × block bytes)
     * @param tier           bandwidth of the tier the KV would go to
     * @param recomputeFlops FLOPs to prefill the sequence's tokens again (see {@link #prefillFlops})
     */
    public SwapDecision decide(long bytesToMove, TierBandwidth tier, double recomputeFlops) {
        if (bytesToMove < 0 || !(recomputeFlops >= 0)) {
            throw new IllegalArgumentException("Cannot decide swap or recompute: bytes and FLOPs must be at least 0, got "
                    + bytesToMove + " bytes and " + recomputeFlops + " FLOPs");
        }
        double swapSeconds = bytesToMove / tier.writeBytesPerSecond() + bytesToMove / tier.readBytesPerSecond();
        double recomputeSeconds = recomputeFlops / recomputeFlopsPerSecond;
        boolean swap = switch (mode) {
            case ALWAYS_SWAP -> true;
            case ALWAYS_RECOMPUTE -> false;
            case COST_MODEL -> swapSeconds <= recomputeSeconds;
        };
        return new SwapDecision(swap, swapSeconds, recomputeSeconds, mode);
    }

    /**
     * FLOPs of a causal prefill of {@code tokens} tokens: {@code 2 · parameters · tokens} for the matrix products plus
     * {@code 2 · layers · attentionDim · tokens²} for attention scores and weighted values over the causal triangle.
     *
     * @param attentionDim heads × head dimension of the queries
     */
    public static double prefillFlops(long parameters, int layers, int attentionDim, int tokens) {
        if (parameters < 1 || layers < 1 || attentionDim < 1 || tokens < 0) {
            throw new IllegalArgumentException("Cannot estimate prefill FLOPs: parameters, layers and attentionDim must "
                    + "be positive and tokens at least 0, got " + parameters + ", " + layers + ", " + attentionDim
                    + ", " + tokens);
        }
        return 2.0 * parameters * tokens + 2.0 * layers * attentionDim * (double) tokens * tokens;
    }
}
