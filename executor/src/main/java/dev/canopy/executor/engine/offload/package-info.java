/**
 * KV offload as the engine sees it: {@link dev.canopy.executor.engine.offload.KvOffload}, the one collaborator the
 * step loop, the scheduler (as its {@code SwapSpace}) and the block manager (as its {@code PrefixSpill}) talk to;
 * {@link dev.canopy.executor.engine.offload.KvOffload#NONE} when offload is off.
 *
 * <p>Behind it: {@link dev.canopy.executor.engine.offload.KvSwapper} (preempted sequences' KV out and back, with
 * {@code SwapOut} per swap-out and {@code SwapChoice} deciding swap or recompute), {@code PrefixOffload} (evicted
 * prefix-cache blocks), {@code OffloadedBlocks} (the one key scheme: a block keyed by its content,
 * {@code BlockKeys}, stored once with its owners counted) and {@code PendingBlockReads} (device-to-host copies that
 * overlap the forward pass). The tiers themselves (host memory, disk) are the {@code canopy-offload} module's
 * {@code TieredKvStore}.
 *
 * <p>This package uses nothing of {@code dev.canopy.executor.engine}; the engine depends on it, not the reverse.
 */
package dev.canopy.executor.engine.offload;
