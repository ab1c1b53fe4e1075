/**
 * KV blocks below the primary pool: {@link dev.canopy.offload.KvTier} levels ({@link dev.canopy.offload.HostMemoryTier},
 * {@link dev.canopy.offload.DiskTier}) chained by a {@link dev.canopy.offload.TieredKvStore} that evicts with an
 * {@link dev.canopy.offload.EvictionPolicy} (LRU, or plan-aware from a {@link dev.canopy.offload.NextUsePlan}),
 * prefetches with a {@link dev.canopy.offload.Prefetcher}, and counts traffic in {@link dev.canopy.offload.OffloadStats}.
 * {@link dev.canopy.offload.SwapOrRecompute} decides per preempted sequence whether its KV goes down a tier or is
 * recomputed. How a paged cache block becomes one payload is the executor's business (its {@code kv.KvBlockLayout}):
 * here a block is opaque bytes of a fixed size.
 *
 * <p>A block offloaded is stored exactly or not at all, and a load returns its exact bytes or says it is missing or
 * lost: callers recompute what is not loaded, so outputs never depend on where a block was kept. No dependency on the
 * executor: it calls this package.
 */
package dev.canopy.offload;
