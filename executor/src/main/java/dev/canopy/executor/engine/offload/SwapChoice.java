package dev.canopy.executor.engine.offload;

import dev.canopy.executor.model.ModelConfig;
import dev.canopy.offload.SwapMode;
import dev.canopy.offload.SwapOrRecompute;
import dev.canopy.offload.TierBandwidth;
import dev.canopy.offload.TierStats;

/**
 * Swap or recompute, per preempted sequence: {@link SwapOrRecompute} on the first tier's measured bandwidth and the
 * engine's FLOP rate, measured from the forward passes it is told of. Counts its decisions. Used by the scheduler's
 * thread only.
 */
final class SwapChoice {

    /** Assumed before anything was measured. */
    private static final TierBandwidth FALLBACK_BANDWIDTH = new TierBandwidth(2e9, 2e9);
    private static final double FALLBACK_FLOPS_PER_SECOND = 2e10;

    private final SwapMode mode;
    private final ModelConfig model;
    private long forwardFlops;
    private long forwardNanos;
    private long swaps;
    private long recomputes;

    SwapChoice(SwapMode mode, ModelConfig model) {
        this.mode = mode;
        this.model = model;
    }

    /**
     * Whether to swap out {@code bytes} of KV holding {@code computedTokens} tokens rather than recompute them, given
     * the first tier's traffic so far ({@code firstTier}).
     */
    boolean swap(long bytes, int computedTokens, TierStats firstTier) {
        TierBandwidth tier = TierBandwidth.measured(firstTier, FALLBACK_BANDWIDTH);
        double flops = SwapOrRecompute.prefillFlops(matmulParameters(), model.layers(), model.qDim(), computedTokens);
        boolean swap = new SwapOrRecompute(mode, flopsPerSecond()).decide(bytes, tier, flops).swap();
        if (swap) {
            swaps++;
        } else {
            recomputes++;
        }
        return swap;
    }

    /** Records a forward pass of {@code tokens} rows that took {@code nanos}, for the FLOP rate of recomputing. */
    void recordForward(int tokens, long nanos) {
        forwardFlops += 2L * matmulParameters() * tokens;
        forwardNanos += nanos;
    }

    /** Decisions to swap so far. */
    long swaps() {
        return swaps;
    }

    /** Decisions to recompute so far. */
    long recomputes() {
        return recomputes;
    }

    private double flopsPerSecond() {
        return forwardNanos == 0 || forwardFlops == 0 ? FALLBACK_FLOPS_PER_SECOND : forwardFlops * 1e9 / forwardNanos;
    }

    /** Weights multiplied per token: the attention and FFN projections of every layer, and the output head. */
    private long matmulParameters() {
        long perLayer = 2L * model.dim() * model.qDim() + 2L * model.dim() * model.kvDim() + 3L * model.dim() * model.ffn();
        return model.layers() * perLayer + (long) model.vocab() * model.dim();
    }
}
