package dev.canopy.offload;

/**
 * What {@link SwapOrRecompute} chose and why.
 *
 * @param swap             true: swap the KV out and back in; false: free it and recompute
 * @param swapSeconds      estimated time to write the KV down and read it back
 * @param recomputeSeconds estimated time to prefill the tokens again
 * @param mode             the mode that decided (a forced mode ignores the estimates)
 */
public record SwapDecision(boolean swap, double swapSeconds, double recomputeSeconds, SwapMode mode) {
}
