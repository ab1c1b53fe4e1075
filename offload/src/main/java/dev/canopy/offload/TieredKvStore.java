package dev.canopy.offload;

import dev.canopy.offload.OffloadMetrics.Event;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>Thread-safe. State changes under one lock; IO runs outside it, the block marked busy meanwhile (readers and
 * removers of that block wait for it). No thread waits while it holds a busy block, so waits always end.
 */
public final class TieredKvStore implements AutoCloseable {

    private enum Prefetch { NONE, REQUESTED, READY }

    /** A stored block. */
    private static final class Entry {
        int tier; // tier holding the block
        int pins;
        boolean busy; // IO in flight on this block
        Prefetch prefetch = Prefetch.NONE;
        CompletableFuture<Boolean> pendingPrefetch;
        IOException lostCause; // set once a fault destroyed the block; then it is in no tier

        Entry(int tier) {
            this.tier = tier;
        }
    }

    @FunctionalInterface
    private interface Io {
        void run() throws IOException;
    }

    private final List<KvTier> tiers;
    private final long blockBytes;
    private final NextUsePlan plan = new NextUsePlan();
    private final EvictionPolicy[] policies; // (tiers)
    private final OffloadMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ioEnded = lock.newCondition();
    private final Map<BlockKey, Entry> entries = new HashMap<>();
    private final int[] occupied; // (tiers) resident blocks plus slots reserved by writes in flight
    private final int[] ioInFlight; // (tiers) IO operations in flight touching each tier
    private final ExecutorService prefetchPool;

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
        policies = new EvictionPolicy[tiers.size()];
        for (int t = 0; t < policies.length; t++) {
            policies[t] = policy.create(plan);
        }
        metrics = new OffloadMetrics(this.tiers.stream().map(KvTier::name).toList());
        occupied = new int[tiers.size()];
        ioInFlight = new int[tiers.size()];
        AtomicInteger threads = new AtomicInteger();
        prefetchPool = Executors.newFixedThreadPool(prefetchThreads, r -> Thread.ofPlatform().daemon()
                .name("canopy-prefetch-" + threads.incrementAndGet()).unstarted(r));
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
        lock.lock();
        try {
            removeLocked(key);
            if (!policies[0].hasFutureUse(key)) {
                metrics.count(Event.DROPPED);
                plan.forget(key);
                return new OffloadResult.Dropped();
            }
            String reason = "every tier is full of blocks that are pinned, busy or needed sooner";
            for (int t = 0; t < tiers.size(); t++) {
                if (!makeRoom(t, key)) {
                    continue;
                }
                if (entries.containsKey(key)) { // another offload of this key won the race while room was made
                    removeLocked(key);
                    t--;
                    continue;
                }
                Entry e = new Entry(t);
                entries.put(key, e);
                occupied[t]++;
                int tier = t;
                long start = System.nanoTime();
                IOException failure = runIo(e, t, t, () -> tiers.get(tier).put(key, payload));
                if (failure == null) {
                    policies[t].onInsert(key);
                    metrics.wrote(t, blockBytes, System.nanoTime() - start);
                    return new OffloadResult.Stored(t);
                }
                entries.remove(key);
                occupied[t]--;
                metrics.writeFailed(t);
                reason = "writing to the " + tiers.get(t).name() + " tier failed: " + failure;
            }
            metrics.count(Event.REJECTED);
            return new OffloadResult.Rejected("Cannot offload block " + key + ": " + reason);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Copies block {@code key} into {@code dst}; the block stays stored. Waits for IO in flight on the block (a
     * prefetch, say). A fault forgets the block and returns {@link LoadResult.Lost}.
     *
     * @param dst (blockBytes) bytes; holds the block's exact bytes only when the result is {@link LoadResult.Loaded}
     */
    public LoadResult load(BlockKey key, MemorySegment dst) {
        tiers.getFirst().requireBlockSized(dst, "load");
        lock.lock();
        try {
            metrics.count(Event.LOAD);
            Entry e = entries.get(key);
            if (e != null && e.prefetch == Prefetch.REQUESTED) {
                metrics.count(Event.PREFETCH_LATE);
                e.prefetch = Prefetch.NONE;
            } else if (e != null && e.prefetch == Prefetch.READY) {
                metrics.count(Event.PREFETCH_ON_TIME);
                e.prefetch = Prefetch.NONE;
            }
            e = settledEntry(key);
            if (e == null) {
                metrics.count(Event.MISS);
                return new LoadResult.Missing();
            }
            if (e.lostCause != null) {
                entries.remove(key);
                return new LoadResult.Lost(e.lostCause);
            }
            int t = e.tier;
            long start = System.nanoTime();
            IOException failure = runIo(e, t, t, () -> requireFound(tiers.get(t).get(key, dst), key, t));
            if (failure != null) {
                lose(key, e, failure);
                entries.remove(key);
                return new LoadResult.Lost(failure);
            }
            policies[t].onAccess(key);
            metrics.hit(t);
            metrics.read(t, blockBytes, System.nanoTime() - start);
            return new LoadResult.Loaded(t);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts moving block {@code key} to the first tier, on the prefetch pool, if it is in a lower one and the first
     * tier can make room for it without evicting blocks needed sooner.
     *
     * @return completes with whether the block is in the first tier (false: absent, lost, or no room)
     */
    public CompletableFuture<Boolean> prefetch(BlockKey key) {
        lock.lock();
        try {
            Entry e = entries.get(key);
            if (e == null || e.lostCause != null) {
                return CompletableFuture.completedFuture(false);
            }
            if (e.prefetch == Prefetch.REQUESTED) {
                return e.pendingPrefetch;
            }
            if (e.tier == 0) {
                return CompletableFuture.completedFuture(true);
            }
            metrics.count(Event.PREFETCH_ISSUED);
            e.prefetch = Prefetch.REQUESTED;
            e.pendingPrefetch = CompletableFuture.supplyAsync(() -> promote(key, e), prefetchPool);
            return e.pendingPrefetch;
        } finally {
            lock.unlock();
        }
    }

    /** Forgets block {@code key} (waiting for IO in flight on it). Returns whether it was stored. */
    public boolean remove(BlockKey key) {
        return locked(() -> removeLocked(key));
    }

    /** The tier holding block {@code key}; empty when not stored. */
    public OptionalInt tierOf(BlockKey key) {
        return locked(() -> {
            Entry e = entries.get(key);
            return e == null || e.lostCause != null ? OptionalInt.empty() : OptionalInt.of(e.tier);
        });
    }

    /** Keeps block {@code key} where it is until {@link #unpin}; pins nest. Returns false when it is not stored. */
    public boolean pin(BlockKey key) {
        return locked(() -> {
            Entry e = entries.get(key);
            if (e == null || e.lostCause != null) {
                return false;
            }
            e.pins++;
            return true;
        });
    }

    /**
     * Undoes one {@link #pin}.
     *
     * @throws IllegalStateException when the block is not pinned
     */
    public void unpin(BlockKey key) {
        locked(() -> {
            Entry e = entries.get(key);
            if (e == null || e.pins == 0) {
                throw new IllegalStateException("Cannot unpin block " + key + ": it is not pinned");
            }
            return --e.pins;
        });
    }

    /** Plans the next read of block {@code key} at {@code step} (used by plan-aware eviction; see {@link NextUsePlan}). */
    public void setNextUse(BlockKey key, long step) {
        locked(() -> {
            plan.setNextUse(key, step);
            return null;
        });
    }

    /** Marks block {@code key} as never read again: a plan-aware store drops it instead of writing it. */
    public void setNoFutureUse(BlockKey key) {
        locked(() -> {
            plan.setNoFutureUse(key);
            return null;
        });
    }

    /** Forgets the plan of block {@code key} (call when its owner finishes). */
    public void forgetNextUse(BlockKey key) {
        locked(() -> {
            plan.forget(key);
            return null;
        });
    }

    /** Blocks stored. */
    public int size() {
        return locked(entries::size);
    }

    /** The counters now. */
    public OffloadStats stats() {
        return locked(() -> {
            int[] resident = new int[tiers.size()];
            long[] bytes = new long[tiers.size()];
            for (int t = 0; t < resident.length; t++) {
                resident[t] = policies[t].size();
                bytes[t] = blockBytes;
            }
            return metrics.snapshot(resident, bytes);
        });
    }

    /** Waits for prefetches in flight, then closes the tiers (deleting spill files). */
    @Override
    public void close() {
        prefetchPool.shutdown();
        try {
            prefetchPool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tiers.forEach(KvTier::close);
    }

    /** Frees a slot in tier {@code t} for {@code incoming} (lock held; may release it). False when it cannot. */
    private boolean makeRoom(int t, BlockKey incoming) {
        while (occupied[t] >= tiers.get(t).capacityBlocks()) {
            Optional<BlockKey> found = policies[t].victim(this::evictable);
            if (found.isEmpty()) {
                if (ioInFlight[t] == 0) {
                    return false;
                }
                ioEnded.awaitUninterruptibly();
                continue;
            }
            BlockKey victim = found.get();
            if (!policies[t].hasFutureUse(victim)) {
                evict(victim, Event.DROPPED);
            } else if (policies[t].evictsBefore(incoming, victim)) {
                return false;
            } else if (t + 1 == tiers.size()) {
                evict(victim, Event.DISCARDED);
            } else if (!demote(victim, t)) {
                return false;
            }
        }
        return true;
    }

    /** Moves {@code victim} from tier {@code t} to {@code t + 1}; false when the write failed (victim stays). */
    private boolean demote(BlockKey victim, int t) {
        boolean roomBelow = makeRoom(t + 1, victim);
        Entry e = entries.get(victim);
        if (e == null || e.tier != t || !evictable(victim)) {
            return true; // changed while making room below: look for a victim again
        }
        if (!roomBelow) {
            evict(victim, Event.DISCARDED);
            return true;
        }
        occupied[t + 1]++;
        long start = System.nanoTime();
        IOException failure = runIo(e, t, t + 1, () -> requireFound(
                tiers.get(t).read(victim, block -> tiers.get(t + 1).put(victim, block)), victim, t));
        if (failure != null) {
            occupied[t + 1]--;
            metrics.writeFailed(t + 1);
            return false;
        }
        leaveTier(victim, e);
        e.tier = t + 1;
        policies[t + 1].onInsert(victim);
        metrics.read(t, blockBytes, 0);
        metrics.wrote(t + 1, blockBytes, System.nanoTime() - start);
        return true;
    }

    /** The prefetch task: moves block {@code key} up to the first tier. */
    private boolean promote(BlockKey key, Entry e) {
        lock.lock();
        try {
            if (!stillRequested(key, e)) {
                return e.tier == 0 && entries.get(key) == e;
            }
            if (!makeRoom(0, key) || !stillRequested(key, e)) {
                if (e.prefetch == Prefetch.REQUESTED) {
                    e.prefetch = Prefetch.NONE;
                    metrics.count(Event.PREFETCH_SKIPPED);
                }
                return false;
            }
            int from = e.tier;
            occupied[0]++;
            long start = System.nanoTime();
            IOException failure = runIo(e, from, 0, () -> tiers.getFirst().putWith(key,
                    slot -> requireFound(tiers.get(from).get(key, slot), key, from)));
            if (failure != null) {
                occupied[0]--;
                e.prefetch = Prefetch.NONE;
                lose(key, e, failure);
                return false;
            }
            leaveTier(key, e);
            e.tier = 0;
            policies[0].onInsert(key);
            metrics.read(from, blockBytes, System.nanoTime() - start);
            metrics.wrote(0, blockBytes, 0);
            if (e.prefetch == Prefetch.REQUESTED) {
                e.prefetch = Prefetch.READY;
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until no IO is in flight on {@code e}; true when its prefetch is still wanted and possible. */
    private boolean stillRequested(BlockKey key, Entry e) {
        while (e.busy) {
            ioEnded.awaitUninterruptibly();
        }
        return entries.get(key) == e && e.prefetch == Prefetch.REQUESTED && e.lostCause == null && e.tier != 0;
    }

    /** Runs {@code io} outside the lock with {@code e} busy on tiers {@code a} and {@code b}; returns its failure. */
    private IOException runIo(Entry e, int a, int b, Io io) {
        e.busy = true;
        ioInFlight[a]++;
        if (b != a) {
            ioInFlight[b]++;
        }
        lock.unlock();
        try {
            io.run();
            return null;
        } catch (IOException failure) {
            return failure;
        } finally {
            lock.lock();
            e.busy = false;
            ioInFlight[a]--;
            if (b != a) {
                ioInFlight[b]--;
            }
            ioEnded.signalAll();
        }
    }

    private boolean evictable(BlockKey key) {
        Entry e = entries.get(key);
        return e != null && !e.busy && e.pins == 0 && e.prefetch != Prefetch.REQUESTED;
    }

    /** Removes resident {@code victim} without writing it anywhere. */
    private void evict(BlockKey victim, Event why) {
        Entry e = entries.remove(victim);
        leaveTier(victim, e);
        metrics.count(why);
        if (why == Event.DROPPED) {
            plan.forget(victim);
        }
    }

    /** Takes {@code key} out of its tier's storage, policy and occupancy. */
    private void leaveTier(BlockKey key, Entry e) {
        tiers.get(e.tier).remove(key);
        policies[e.tier].onRemove(key);
        occupied[e.tier]--;
        if (e.prefetch == Prefetch.READY) {
            metrics.count(Event.PREFETCH_UNUSED);
            e.prefetch = Prefetch.NONE;
        }
    }

    /** Records that a fault destroyed {@code key}: out of its tier, remembered as lost until loaded or removed. */
    private void lose(BlockKey key, Entry e, IOException cause) {
        leaveTier(key, e);
        e.lostCause = cause;
        metrics.readFailed(e.tier, cause instanceof CorruptBlockException);
        metrics.count(Event.LOST);
    }

    private boolean removeLocked(BlockKey key) {
        Entry e = settledEntry(key);
        if (e == null) {
            return false;
        }
        if (e.lostCause == null) {
            leaveTier(key, e);
        }
        e.prefetch = Prefetch.NONE;
        entries.remove(key);
        return true;
    }

    /** The entry of {@code key} once no IO is in flight on it (lock held; may release it). */
    private Entry settledEntry(BlockKey key) {
        Entry e;
        while ((e = entries.get(key)) != null && e.busy) {
            ioEnded.awaitUninterruptibly();
        }
        return e;
    }

    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    private void requireFound(boolean found, BlockKey key, int tier) {
        if (!found) {
            throw new IllegalStateException("Broken tiered store: block " + key + " is not in the "
                    + tiers.get(tier).name() + " tier that holds it");
        }
    }
}
