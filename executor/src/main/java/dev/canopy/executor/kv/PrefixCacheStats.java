package dev.canopy.executor.kv;

/**
 * Prefix cache counters since the block manager was created.
 *
 * @param lookups        allocations that searched the cache (one per admitted sequence, readmissions included)
 * @param queriedTokens  tokens of those sequences
 * @param hitTokens      tokens whose KV was found in the cache instead of being computed
 * @param mergedBlocks   computed blocks found identical to an already cached block and replaced by it
 */
public record PrefixCacheStats(long lookups, long queriedTokens, long hitTokens, long mergedBlocks) {

    /** Fraction of queried tokens that were hits; 0 before the first lookup. */
    public double hitRate() {
        return queriedTokens == 0 ? 0.0 : (double) hitTokens / queriedTokens;
    }
}
