package dev.canopy.offload;

import dev.canopy.offload.OffloadMetrics.Event;
import dev.canopy.offload.TierIndex.Transfer;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The KV blocks evicted from the primary pool, in a chain of tiers (fastest first, e.g. host memory then disk): a
 * block offloaded goes to the first tier with room; a full tier makes room by moving its policy's victim one tier
 * down, dropping it when the plan says it has no future use, or discarding it from the last tier. Each block lives in
 * exactly one tier. {@link #load} copies a block back out (it stays stored until {@link #remove}); {@link #prefetch}
 * moves a block up to the first tier ahead of need. Pinned blocks and blocks with IO in flight are never evicted.
 *
 * <p>Faults never yield wrong bytes: a failed or corrupt read makes the block {@link LoadResult.Lost}, a failed write
 * leaves it where it was or reports the offload {@link OffloadResult.Rejected}; the caller recomputes.
 *
 * <p>Thread-safe. Split as vLLM splits its offloading: a {@link TierIndex} keeps the bookkeeping (where each block is,
 * room, pins, prefetch states, eviction, counters) under one lock and does no IO; {@link TierTransfers} runs the IO
 * with no lock held. Each operation here prepares a transfer in the index (the block marked busy: readers and
 * removers of that block wait for it), runs it, and completes it in the index.
 */
public final class TieredKvStore implements AutoCloseable {

    private final List<KvTier> tiers;
    private final long blockBytes;
    private final TierIndex index;
    private final TierTransfers transfers;

    /**
     * A store over {@code tiers}, fastest first, all of the same block size; it owns and closes them.
     *
     * @param policy          how each tier picks victims
     * @param prefetchThreads threads running prefetches, in [1, 64]
     */
    public TieredKvStore(List<? extends KvTier> tiers, EvictionPolicyKind policy, int prefetchThreads) {
        if (tiers.isEmpty()) {
            throw new IllegalArgumentException("Cannot create a tiered KV store: no tier given");
        }
        if (prefetchThreads < 1 || prefetchThreads > 64) {
            throw new IllegalArgumentException("Cannot create a tiered KV store: prefetchThreads must be in [1, 64], got "
                    + prefetchThreads);
        }
        this.tiers = List.copyOf(tiers);
        this.blockBytes = this.tiers.getFirst().blockBytes();
        for (KvTier tier : this.tiers) {
            if (tier.blockBytes() != blockBytes) {
                throw new IllegalArgumentException("Cannot create a tiered KV store: tier " + tier.name() + " has blocks of "
                        + tier.blockBytes() + " bytes but tier " + this.tiers.getFirst().name() + " has " + blockBytes);
            }
        }
        this.index = new TierIndex(this.tiers, policy);
        this.transfers = new TierTransfers(this.tiers, prefetchThreads);
    }

    /** Bytes of every block. */
    public long blockBytes() {
        return blockBytes;
    }

    /** The tiers, fastest first. */
    public List<KvTier> tiers() {
        return tiers;
    }

    /**
     * Stores a copy of {@code payload} as block {@code key}, replacing a block of that key. Makes room as the class
     * comment says; may wait for IO in flight and do IO to move victims down.
     *
     * @param payload (blockBytes) bytes, read during the call only
     */
    public OffloadResult offload(BlockKey key, MemorySegment payload) {
        tiers.getFirst().requireBlockSized(payload, "offload");
        if (!index.replace(key)) {
            return new OffloadResult.Dropped();
        }
        String reason = "every tier is full of blocks that are pinned, busy or needed sooner";
        for (int t = 0; t < tiers.size(); t++) {
            if (!claimRoom(t, key)) {
                continue;
            }
            Optional<Transfer> write = index.beginStore(key, t);
            if (write.isEmpty()) { // another offload of this key won the race while room was made
                t--;
                continue;
            }
            int tier = t;
            long start = System.nanoTime();
            IOException failure = run(write.get(), () -> transfers.write(key, tier, payload));
            if (index.completeStore(write.get(), failure, System.nanoTime() - start)) {
                return new OffloadResult.Stored(t);
            }
            reason = "writing to the " + tiers.get(t).name() + " tier failed: " + failure;
        }
        index.count(Event.REJECTED);
        return new OffloadResult.Rejected("Cannot offload block " + key + ": " + reason);
    }

    /**
     * Copies block {@code key} into {@code dst}; the block stays stored. Waits for IO in flight on the block (a
     * prefetch, say). A fault forgets the block and returns {@link LoadResult.Lost}.
     *
     * @param dst (blockBytes) bytes; holds the block's exact bytes only when the result is {@link LoadResult.Loaded}
     */
    public LoadResult load(BlockKey key, MemorySegment dst) {
        tiers.getFirst().requireBlockSized(dst, "load");
        TierIndex.LoadStart start = index.beginLoad(key);
        if (start.done().isPresent()) {
            return start.done().get();
        }
        Transfer read = start.read().orElseThrow();
        long t0 = System.nanoTime();
        IOException failure = run(read, () -> transfers.read(key, read.from(), dst));
        return index.completeLoad(read, failure, System.nanoTime() - t0);
    }

    /**
     * Starts moving block {@code key} to the first tier, on the prefetch pool, if it is in a lower one and the first
     * tier can make room for it without evicting blocks needed sooner.
     *
     * @return completes with whether the block is in the first tier (false: absent, lost, or no room)
     */
    public CompletableFuture<Boolean> prefetch(BlockKey key) {
        return index.requestPrefetch(key, block -> transfers.onPrefetchThread(() -> promote(key, block)));
    }

    /** Forgets block {@code key} (waiting for IO in flight on it). Returns whether it was stored. */
    public boolean remove(BlockKey key) {
        return index.remove(key);
    }

    /** The tier holding block {@code key}; empty when not stored. */
    public OptionalInt tierOf(BlockKey key) {
        return index.tierOf(key);
    }

    /** Keeps block {@code key} where it is until {@link #unpin}; pins nest. Returns false when it is not stored. */
    public boolean pin(BlockKey key) {
        return index.pin(key);
    }

    /**
     * Undoes one {@link #pin}.
     *
     * @throws IllegalStateException when the block is not pinned
     */
    public void unpin(BlockKey key) {
        index.unpin(key);
    }

    /** Plans the next read of block {@code key} at {@code step} (used by plan-aware eviction; see {@link NextUsePlan}). */
    public void setNextUse(BlockKey key, long step) {
        index.setNextUse(key, step);
    }

    /** Marks block {@code key} as never read again: a plan-aware store drops it instead of writing it. */
    public void setNoFutureUse(BlockKey key) {
        index.setNoFutureUse(key);
    }

    /** Forgets the plan of block {@code key} (call when its owner finishes). */
    public void forgetNextUse(BlockKey key) {
        index.forgetNextUse(key);
    }

    /** Blocks stored. */
    public int size() {
        return index.size();
    }

    /** The counters now. */
    public OffloadStats stats() {
        return index.stats();
    }

    /** Waits for prefetches in flight, then closes the tiers (deleting spill files). */
    @Override
    public void close() {
        transfers.close();
        tiers.forEach(KvTier::close);
    }

    /** Claims a slot in tier {@code t} for {@code incoming}, moving victims down a tier as needed; false: no room. */
    private boolean claimRoom(int t, BlockKey incoming) {
        while (true) {
            TierIndex.Room room = index.claimRoom(t, incoming);
            if (room.demote().isEmpty()) {
                return room.claimed();
            }
            if (!demote(room.demote().get(), t)) {
                return false;
            }
        }
    }

    /** Moves {@code victim} from tier {@code t} to {@code t + 1}; false when the write failed (the victim stays). */
    private boolean demote(BlockKey victim, int t) {
        boolean roomBelow = claimRoom(t + 1, victim);
        Optional<Transfer> move = index.beginDemotion(victim, t, roomBelow);
        if (move.isEmpty()) {
            return true; // discarded, or changed while room was made below: look for a victim again
        }
        long start = System.nanoTime();
        IOException failure = run(move.get(), () -> transfers.copy(victim, t, t + 1));
        return index.completeDemotion(move.get(), failure, System.nanoTime() - start);
    }

    /** The prefetch task: moves block {@code key} ({@code block}) up to the first tier. */
    private boolean promote(BlockKey key, StoredBlock block) {
        if (!index.stillRequested(key, block)) {
            return index.inFirstTier(key, block);
        }
        Optional<Transfer> up = index.beginPromotion(key, block, claimRoom(0, key));
        if (up.isEmpty()) {
            return false;
        }
        Transfer p = up.get();
        long start = System.nanoTime();
        IOException failure = run(p, () -> transfers.copyInto(key, p.from(), 0));
        return index.completePromotion(p, failure, System.nanoTime() - start);
    }

    /** Runs a prepared transfer's IO; one that throws (a broken tier) is ended in the index before it propagates. */
    private IOException run(Transfer transfer, Supplier<IOException> io) {
        try {
            return io.get();
        } catch (RuntimeException | Error e) {
            index.abandon(transfer);
            throw e;
        }
    }
}
