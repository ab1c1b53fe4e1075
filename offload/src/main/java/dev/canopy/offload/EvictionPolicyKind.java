package dev.canopy.offload;

/** The eviction policies a {@link TieredKvStore} can use, one instance per tier. */
public enum EvictionPolicyKind {
    /** {@link LruPolicy}: the baseline. */
    LRU,
    /** {@link PlanAwarePolicy}: furthest next use first, no-future-use blocks dropped. */
    PLAN_AWARE;

    /** A fresh policy; plan-aware ones follow {@code plan}. */
    public EvictionPolicy create(NextUsePlan plan) {
        return switch (this) {
            case LRU -> new LruPolicy();
            case PLAN_AWARE -> new PlanAwarePolicy(plan);
        };
    }
}
