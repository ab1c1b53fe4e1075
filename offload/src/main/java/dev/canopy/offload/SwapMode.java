package dev.canopy.offload;

/** How {@link SwapOrRecompute} chooses between swapping a preempted sequence's KV out and recomputing it later. */
public enum SwapMode {
    /** The cheaper of the two by the cost model. */
    COST_MODEL,
    /** Always swap (the KV goes down a tier and comes back). */
    ALWAYS_SWAP,
    /** Always recompute (the KV is freed; the tokens are prefilled again). */
    ALWAYS_RECOMPUTE
}
