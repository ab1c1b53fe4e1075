package dev.canopy.offload;

import dev.canopy.offload.OffloadMetrics.Event;
import dev.canopy.offload.StoredBlock.Prefetch;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The bookkeeping of a {@link TieredKvStore}, as vLLM's {@code OffloadingManager} keeps it: which tier holds each
 * block, the room in each tier, pins, prefetch states, the tiers' eviction policies, the next-use plan and the
 * counters. Every method runs under one lock and does no IO: a transfer is prepared here ({@code begin…}: the block
 * marked busy, a slot reserved), run by {@link TierTransfers} with the lock free, then completed here
 * ({@code complete…}). A method that needs a busy block waits on the lock's condition, which every completion
 * signals; no thread waits while it holds a busy block, so waits always end. (Removing a block from a tier frees its
 * slot, which is bookkeeping, not IO.)
 */
final class TierIndex {

    /** A transfer prepared: block {@code key} moves from tier {@code from} to {@code to} (equal: a write or read). */
    record Transfer(BlockKey key, StoredBlock block, int from, int to) {
    }

    /** What making room in a tier found: a slot claimed, no room, or a victim to move one tier down first. */
    record Room(boolean claimed, Optional<BlockKey> demote) {
        static final Room CLAIMED = new Room(true, Optional.empty());
        static final Room FULL = new Room(false, Optional.empty());
    }

    private final List<KvTier> tiers;
    private final long blockBytes;
    private final NextUsePlan plan = new NextUsePlan();
    private final EvictionPolicy[] policies; // (tiers)
    private final OffloadMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition transferEnded = lock.newCondition();
    private final Map<BlockKey, StoredBlock> entries = new HashMap<>();
    private final int[] occupied; // (tiers) resident blocks plus slots claimed by transfers in flight
    private final int[] inFlight; // (tiers) transfers in flight touching each tier

    TierIndex(List<KvTier> tiers, EvictionPolicyKind policy) {
        this.tiers = tiers;
        this.blockBytes = tiers.getFirst().blockBytes();
        this.policies = new EvictionPolicy[tiers.size()];
        for (int t = 0; t < policies.length; t++) {
            policies[t] = policy.create(plan);
        }
        this.metrics = new OffloadMetrics(tiers.stream().map(KvTier::name).toList());
        this.occupied = new int[tiers.size()];
        this.inFlight = new int[tiers.size()];
    }

    // ---- store: forget the old block, make room, write ----

    /** Forgets any block of {@code key}; false (counted dropped) when the plan says it has no future use. */
    boolean replace(BlockKey key) {
        return locked(() -> {
            removeLocked(key);
            if (!policies[0].hasFutureUse(key)) {
                metrics.count(Event.DROPPED);
                plan.forget(key);
                return false;
            }
            return true;
        });
    }

    /**
     * Claims a slot in tier {@code t} for {@code incoming} if one is free, else frees one without IO (dropping a
     * victim with no future use, discarding one from the last tier), waiting for transfers when every resident block
     * is busy. Returns {@link Room#FULL} when the victims are pinned or needed sooner than {@code incoming}, or a
     * victim to move down a tier first (then ask again).
     */
    Room claimRoom(int t, BlockKey incoming) {
        return locked(() -> {
            while (occupied[t] >= tiers.get(t).capacityBlocks()) {
                Optional<BlockKey> found = policies[t].victim(this::evictable);
                if (found.isEmpty()) {
                    if (inFlight[t] == 0) {
                        return Room.FULL;
                    }
                    transferEnded.awaitUninterruptibly();
                    continue;
                }
                BlockKey victim = found.get();
                if (!policies[t].hasFutureUse(victim)) {
                    evict(victim, Event.DROPPED);
                } else if (policies[t].evictsBefore(incoming, victim)) {
                    return Room.FULL;
                } else if (t + 1 == tiers.size()) {
                    evict(victim, Event.DISCARDED);
                } else {
                    return new Room(false, found);
                }
            }
            occupied[t]++;
            return Room.CLAIMED;
        });
    }

    /** Gives back a slot {@link #claimRoom} claimed in tier {@code t} and no transfer used. */
    void releaseRoom(int t) {
        locked(() -> occupied[t]--);
    }

    /**
     * Prepares to write {@code key} into the slot claimed in tier {@code t}; empty (the slot given back) when another
     * store of the key won the race meanwhile, whose block is then forgotten: claim again.
     */
    Optional<Transfer> beginStore(BlockKey key, int t) {
        return locked(() -> {
            if (entries.containsKey(key)) {
                occupied[t]--;
                removeLocked(key);
                return Optional.empty();
            }
            StoredBlock e = new StoredBlock(t);
            entries.put(key, e);
            return Optional.of(begin(key, e, t, t));
        });
    }

    /** Ends a write; true when it stored the block. */
    boolean completeStore(Transfer w, IOException failure, long nanos) {
        return locked(() -> {
            end(w);
            if (failure == null) {
                policies[w.to()].onInsert(w.key());
                metrics.wrote(w.to(), blockBytes, nanos);
                return true;
            }
            entries.remove(w.key());
            occupied[w.to()]--;
            metrics.writeFailed(w.to());
            return false;
        });
    }

    /**
     * Prepares to move {@code victim} from tier {@code t} into the slot claimed for it in {@code t + 1}
     * ({@code roomBelow}); empty when there is nothing to move: it changed meanwhile (the slot given back), or there
     * was no room below (it is discarded).
     */
    Optional<Transfer> beginDemotion(BlockKey victim, int t, boolean roomBelow) {
        return locked(() -> {
            StoredBlock e = entries.get(victim);
            if (e == null || e.tier != t || !evictable(victim)) {
                if (roomBelow) {
                    occupied[t + 1]--;
                }
                return Optional.empty();
            }
            if (!roomBelow) {
                evict(victim, Event.DISCARDED);
                return Optional.empty();
            }
            return Optional.of(begin(victim, e, t, t + 1));
        });
    }

    /** Ends a move one tier down; false when the write below failed (the block stays where it was). */
    boolean completeDemotion(Transfer m, IOException failure, long nanos) {
        return locked(() -> {
            end(m);
            if (failure != null) {
                occupied[m.to()]--;
                metrics.writeFailed(m.to());
                return false;
            }
            moved(m);
            metrics.read(m.from(), blockBytes, 0);
            metrics.wrote(m.to(), blockBytes, nanos);
            return true;
        });
    }

    // ---- load ----

    /** What {@link #beginLoad} found: the result already, or a read to run. */
    record LoadStart(Optional<LoadResult> done, Optional<Transfer> read) {
    }

    /** Prepares to read block {@code key}, waiting for a transfer of it in flight (a prefetch, say). */
    LoadStart beginLoad(BlockKey key) {
        return locked(() -> {
            metrics.count(Event.LOAD);
            StoredBlock e = entries.get(key);
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
                return new LoadStart(Optional.of(new LoadResult.Missing()), Optional.empty());
            }
            if (!e.isIntact()) {
                entries.remove(key);
                return new LoadStart(Optional.of(new LoadResult.Lost(e.lostCause)), Optional.empty());
            }
            return new LoadStart(Optional.empty(), Optional.of(begin(key, e, e.tier, e.tier)));
        });
    }

    /** Ends a read: a fault forgets the block. */
    LoadResult completeLoad(Transfer r, IOException failure, long nanos) {
        return locked(() -> {
            end(r);
            if (failure != null) {
                lose(r.key(), r.block(), failure);
                entries.remove(r.key());
                return new LoadResult.Lost(failure);
            }
            policies[r.from()].onAccess(r.key());
            metrics.hit(r.from());
            metrics.read(r.from(), blockBytes, nanos);
            return new LoadResult.Loaded(r.from());
        });
    }

    // ---- prefetch ----

    /**
     * Asks for block {@code key} in the first tier: a future already known when it is absent, lost, there, or asked
     * for; else marks it requested and returns the future {@code start} makes of it (the promotion task).
     */
    CompletableFuture<Boolean> requestPrefetch(BlockKey key,
                                               Function<StoredBlock, CompletableFuture<Boolean>> start) {
        return locked(() -> {
            StoredBlock e = entries.get(key);
            if (e == null || !e.isIntact()) {
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
            e.pendingPrefetch = start.apply(e);
            return e.pendingPrefetch;
        });
    }

    /** Waits until no transfer of {@code e} is in flight; true when its prefetch is still wanted and possible. */
    boolean stillRequested(BlockKey key, StoredBlock e) {
        return locked(() -> stillRequestedLocked(key, e));
    }

    /** Whether {@code e} is still block {@code key}'s and in the first tier. */
    boolean inFirstTier(BlockKey key, StoredBlock e) {
        return locked(() -> e.tier == 0 && entries.get(key) == e);
    }

    /**
     * Prepares to move {@code key} up into the slot claimed in the first tier ({@code claimed}); empty (the slot
     * given back, the prefetch counted skipped) when there is no slot or the prefetch is no longer wanted.
     */
    Optional<Transfer> beginPromotion(BlockKey key, StoredBlock e, boolean claimed) {
        return locked(() -> {
            if (!claimed || !stillRequestedLocked(key, e)) {
                if (claimed) {
                    occupied[0]--;
                }
                if (e.prefetch == Prefetch.REQUESTED) {
                    e.prefetch = Prefetch.NONE;
                    metrics.count(Event.PREFETCH_SKIPPED);
                }
                return Optional.empty();
            }
            return Optional.of(begin(key, e, e.tier, 0));
        });
    }

    /** Ends a move up to the first tier; a fault loses the block. Returns whether the block is there. */
    boolean completePromotion(Transfer p, IOException failure, long nanos) {
        return locked(() -> {
            end(p);
            StoredBlock e = p.block();
            if (failure != null) {
                occupied[0]--;
                e.prefetch = Prefetch.NONE;
                lose(p.key(), e, failure);
                return false;
            }
            moved(p);
            metrics.read(p.from(), blockBytes, nanos);
            metrics.wrote(0, blockBytes, 0);
            if (e.prefetch == Prefetch.REQUESTED) {
                e.prefetch = Prefetch.READY;
            }
            return true;
        });
    }

    /** Ends a transfer that threw instead of completing (a broken tier): nothing else changes. */
    void abandon(Transfer t) {
        locked(() -> {
            end(t);
            return null;
        });
    }

    // ---- the rest of the store's API ----

    boolean remove(BlockKey key) {
        return locked(() -> removeLocked(key));
    }

    OptionalInt tierOf(BlockKey key) {
        return locked(() -> {
            StoredBlock e = entries.get(key);
            return e == null || !e.isIntact() ? OptionalInt.empty() : OptionalInt.of(e.tier);
        });
    }

    boolean pin(BlockKey key) {
        return locked(() -> {
            StoredBlock e = entries.get(key);
            if (e == null || !e.isIntact()) {
                return false;
            }
            e.pins++;
            return true;
        });
    }

    void unpin(BlockKey key) {
        locked(() -> {
            StoredBlock e = entries.get(key);
            if (e == null || e.pins == 0) {
                throw new IllegalStateException("Cannot unpin block " + key + ": it is not pinned");
            }
            return --e.pins;
        });
    }

    void setNextUse(BlockKey key, long step) {
        locked(() -> {
            plan.setNextUse(key, step);
            return null;
        });
    }

    void setNoFutureUse(BlockKey key) {
        locked(() -> {
            plan.setNoFutureUse(key);
            return null;
        });
    }

    void forgetNextUse(BlockKey key) {
        locked(() -> {
            plan.forget(key);
            return null;
        });
    }

    void count(Event event) {
        locked(() -> {
            metrics.count(event);
            return null;
        });
    }

    int size() {
        return locked(entries::size);
    }

    OffloadStats stats() {
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

    // ---- lock held below ----

    /** Marks {@code e} busy on tiers {@code from} and {@code to} for a transfer. */
    private Transfer begin(BlockKey key, StoredBlock e, int from, int to) {
        e.busy = true;
        inFlight[from]++;
        if (to != from) {
            inFlight[to]++;
        }
        return new Transfer(key, e, from, to);
    }

    private void end(Transfer t) {
        t.block().busy = false;
        inFlight[t.from()]--;
        if (t.to() != t.from()) {
            inFlight[t.to()]--;
        }
        transferEnded.signalAll();
    }

    /** The block of a finished move now lives in its destination tier. */
    private void moved(Transfer m) {
        leaveTier(m.key(), m.block());
        m.block().tier = m.to();
        policies[m.to()].onInsert(m.key());
    }

    private boolean stillRequestedLocked(BlockKey key, StoredBlock e) {
        while (e.busy) {
            transferEnded.awaitUninterruptibly();
        }
        return entries.get(key) == e && e.prefetch == Prefetch.REQUESTED && e.isIntact() && e.tier != 0;
    }

    private boolean evictable(BlockKey key) {
        StoredBlock e = entries.get(key);
        return e != null && !e.busy && e.pins == 0 && e.prefetch != Prefetch.REQUESTED;
    }

    /** Removes resident {@code victim} without writing it anywhere. */
    private void evict(BlockKey victim, Event why) {
        StoredBlock e = entries.remove(victim);
        leaveTier(victim, e);
        metrics.count(why);
        if (why == Event.DROPPED) {
            plan.forget(victim);
        }
    }

    /** Takes {@code key} out of its tier's slots, policy and occupancy. */
    private void leaveTier(BlockKey key, StoredBlock e) {
        tiers.get(e.tier).remove(key);
        policies[e.tier].onRemove(key);
        occupied[e.tier]--;
        if (e.prefetch == Prefetch.READY) {
            metrics.count(Event.PREFETCH_UNUSED);
            e.prefetch = Prefetch.NONE;
        }
    }

    /** Records that a fault destroyed {@code key}: out of its tier, remembered as lost until loaded or removed. */
    private void lose(BlockKey key, StoredBlock e, IOException cause) {
        leaveTier(key, e);
        e.lostCause = cause;
        metrics.readFailed(e.tier, cause instanceof CorruptBlockException);
        metrics.count(Event.LOST);
    }

    private boolean removeLocked(BlockKey key) {
        StoredBlock e = settledEntry(key);
        if (e == null) {
            return false;
        }
        if (e.isIntact()) {
            leaveTier(key, e);
        }
        e.prefetch = Prefetch.NONE;
        entries.remove(key);
        return true;
    }

    /** The entry of {@code key} once no transfer of it is in flight. */
    private StoredBlock settledEntry(BlockKey key) {
        StoredBlock e;
        while ((e = entries.get(key)) != null && e.busy) {
            transferEnded.awaitUninterruptibly();
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
}
