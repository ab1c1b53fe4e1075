package dev.canopy.executor.engine.offload;

import dev.canopy.executor.kv.KvSequence;
import dev.canopy.offload.BlockKey;
import dev.canopy.offload.TieredKvStore;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Every KV block the engine keeps in the offload tiers, named by the one key scheme ({@link BlockKeys}) and stored
 * once whoever needs it: each key has its token prefix and its owners, the swapped-out sequences and the prefix cache
 * that hold it. A second owner of a block already stored (or being stored) with the same tokens shares that copy, with
 * no IO; releasing one owner keeps the copy for the others, and the last release removes it from the tiers. The next
 * use the tiers plan for a block is its soonest owner's: a swapped-out sequence's rank, else the prefix cache's plan.
 *
 * <p>A key whose block is not stored yet is written by the caller that first holds it: it reads the block out of the
 * pool ({@link PendingBlockReads}) and hands the bytes to {@link #write}; owners that arrive meanwhile share that read.
 * A key naming a block of other tokens (a hash collision) is refused, so a hash never brings back wrong KV.
 *
 * <p>Used by the scheduler's thread only.
 */
final class OffloadedBlocks {

    /** Who needs a stored block. */
    sealed interface Owner permits Swapped, PrefixCache {
    }

    /** A swapped-out sequence; {@code rank} is its blocks' planned next use (lower is sooner). */
    record Swapped(long sequenceId, long rank) implements Owner {
    }

    /** The prefix cache's spill of evicted blocks ({@link PrefixOffload}). */
    enum PrefixCache implements Owner {
        INSTANCE
    }

    /** What {@link #hold} came to. */
    enum Hold {
        /** The block is stored or being stored with these tokens: the owner shares that copy, no IO. */
        SHARED,
        /** The block is not stored: the caller reads it and calls {@link #write} (or {@link #readDeclined}) once. */
        WRITE,
        /** The key names a block of other tokens (a hash collision): nothing held. */
        TAKEN
    }

    private static final class Entry {
        private final int[] tokens; // the token prefix up to the block's end: [0, length)
        private final int length;
        private final Set<Owner> owners = new HashSet<>();
        private boolean reading; // a read of the block from the pool is pending: its bytes are not written yet
        private OptionalLong prefixNextUse = OptionalLong.empty();
        private boolean prefixUnused; // the prefix cache's plan says nobody reads it again

        Entry(int[] tokens, int length) {
            this.tokens = tokens;
            this.length = length;
        }

        boolean sameTokens(int[] other, int otherLength) {
            return length == otherLength && Arrays.equals(tokens, 0, length, other, 0, length);
        }
    }

    private final TieredKvStore store;
    private final Runnable finishPendingReads;
    private final Map<BlockKey, Entry> entries = new HashMap<>();

    /**
     * @param finishPendingReads finishes the pending reads of blocks being written
     *                           ({@link PendingBlockReads#finishAll}, which hands each to {@link #write});
     *                           {@link #load} calls it when it needs one
     */
    OffloadedBlocks(TieredKvStore store, Runnable finishPendingReads) {
        this.store = store;
        this.finishPendingReads = finishPendingReads;
    }

    /**
     * Makes {@code owner} an owner of block {@code key}, the KV of {@code tokens[0, length)}'s last block ({@code
     * tokens} is kept, not copied: it must not change).
     */
    Hold hold(BlockKey key, Owner owner, int[] tokens, int length) {
        Entry e = entries.get(key);
        if (e != null && !e.sameTokens(tokens, length)) {
            return Hold.TAKEN;
        }
        if (e == null) {
            e = new Entry(tokens, length);
            entries.put(key, e);
        }
        e.owners.add(owner);
        if (e.reading || store.tierOf(key).isPresent()) {
            applyNextUse(key, e);
            return Hold.SHARED;
        }
        e.reading = true;
        return Hold.WRITE;
    }

    /**
     * The read {@link #hold} asked for finished: writes {@code payload} (the block's bytes, during the call only) to
     * the tiers if anyone still owns the block.
     *
     * @return whether the block is stored
     */
    boolean write(BlockKey key, MemorySegment payload) {
        Entry e = entries.get(key);
        e.reading = false;
        if (e.owners.isEmpty()) {
            entries.remove(key);
            return false;
        }
        applyNextUse(key, e);
        return store.offload(key, payload).isStored();
    }

    /** The read {@link #hold} asked for could not start: {@code owner} does not hold the block. */
    void readDeclined(BlockKey key, Owner owner) {
        entries.get(key).reading = false;
        release(key, owner);
    }

    /** {@code owner} no longer needs block {@code key}; the last owner's release removes it from the tiers. */
    void release(BlockKey key, Owner owner) {
        Entry e = entries.get(key);
        if (e == null || !e.owners.remove(owner)) {
            return;
        }
        if (!e.owners.isEmpty()) {
            applyNextUse(key, e);
        } else if (!e.reading) { // a pending read's write removes it
            entries.remove(key);
            store.remove(key);
            store.forgetNextUse(key);
        }
    }

    /**
     * Copies stored block {@code key} into {@code dst}, first finishing the pending reads when its bytes are still
     * on their way to the tiers.
     *
     * @return whether {@code dst} holds the block's exact bytes
     */
    boolean load(BlockKey key, MemorySegment dst) {
        if (isReading(key)) {
            finishPendingReads.run();
        }
        return store.load(key, dst).isLoaded();
    }

    /** Whether the read of block {@code key} out of the pool is still pending. */
    boolean isReading(BlockKey key) {
        Entry e = entries.get(key);
        return e != null && e.reading;
    }

    /** Whether block {@code key} has an owner (it may have been lost from the tiers since). */
    boolean isHeld(BlockKey key) {
        Entry e = entries.get(key);
        return e != null && !e.owners.isEmpty();
    }

    /**
     * Whether block {@code key} is held as the last block of a prefix of {@code length} tokens that {@code seq} starts
     * with (and goes beyond).
     */
    boolean holdsPrefixOf(BlockKey key, KvSequence seq, int length) {
        Entry e = entries.get(key);
        if (e == null || e.owners.isEmpty() || e.length != length || seq.numTokens() <= length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (seq.tokenAt(i) != e.tokens[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sets the prefix cache's plan for block {@code key}: next read at {@code nextUse}, or, when empty, never
     * ({@code unused}) or unknown. It counts for the tiers while no swapped-out sequence holds the block.
     */
    void planPrefixUse(BlockKey key, OptionalLong nextUse, boolean unused) {
        Entry e = entries.get(key);
        if (e == null) {
            return;
        }
        e.prefixNextUse = nextUse;
        e.prefixUnused = nextUse.isEmpty() && unused;
        applyNextUse(key, e);
    }

    /** Blocks held (stored, being stored, or lost from the tiers and not yet released). */
    int size() {
        return entries.size();
    }

    /** Tells the tiers block {@code key}'s next use: its soonest swapped-out owner's, else the prefix cache's plan. */
    private void applyNextUse(BlockKey key, Entry e) {
        OptionalLong swapRank = e.owners.stream().filter(o -> o instanceof Swapped)
                .mapToLong(o -> ((Swapped) o).rank()).min();
        if (swapRank.isPresent()) {
            store.setNextUse(key, swapRank.getAsLong());
        } else if (e.prefixNextUse.isPresent()) {
            store.setNextUse(key, e.prefixNextUse.getAsLong());
        } else if (e.prefixUnused) {
            store.setNoFutureUse(key);
        } else {
            store.forgetNextUse(key);
        }
    }
}
