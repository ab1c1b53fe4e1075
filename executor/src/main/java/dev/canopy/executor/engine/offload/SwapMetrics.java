package dev.canopy.executor.engine.offload;

import dev.canopy.offload.OffloadStats;

/**
 * What preemption by swap, and the offload of evicted prefix-cache blocks, did since the engine opened.
 *
 * @param swapDecisions      preemptions the engine chose to swap
 * @param recomputeDecisions preemptions it chose to recompute (cost model or forced)
 * @param swapOuts           swap decisions that stored at least one block
 * @param swapIns            sequences that got at least one block back
 * @param blocksSwappedOut   blocks swap-outs wrote to the tiers
 * @param blocksShared       blocks swap-outs found stored already (a spilled prefix block, another sequence's block of
 *                           the same tokens) and shared instead of writing them again
 * @param blocksSwappedIn    blocks restored by swap-ins
 * @param blocksNotStored    blocks a swap-out could not store (tier full, write error): recomputed later
 * @param blocksNotRestored  stored blocks a swap-in could not restore (evicted, IO error, corrupt): recomputed
 * @param prefixes           what happened to evicted prefix-cache blocks (written, dropped, restored)
 * @param store              traffic, hit rates and prefetch timeliness of the tiers
 */
public record SwapMetrics(long swapDecisions, long recomputeDecisions, long swapOuts, long swapIns,
                          long blocksSwappedOut, long blocksShared, long blocksSwappedIn, long blocksNotStored,
                          long blocksNotRestored,
                          PrefixOffloadMetrics prefixes, OffloadStats store) {

    /** Lines for logs and bench reports: the swap counters, the prefix blocks', then the store's summary. */
    public String summary() {
        return "swap decisions " + swapDecisions + ", recompute decisions " + recomputeDecisions + ", swap-outs "
                + swapOuts + " (" + blocksSwappedOut + " blocks written, " + blocksShared + " shared, "
                + blocksNotStored + " not stored), swap-ins " + swapIns + " (" + blocksSwappedIn + " blocks, "
                + blocksNotRestored + " not restored)\n"
                + prefixes.summary() + "\n" + store.summary();
    }
}
