package dev.canopy.prefixtree;

import java.util.Arrays;

/**
 * A paged KV cache of fixed-size blocks with prefix caching, for the simulator: a full block is named
 * by a key for its whole prefix once its KV is computed (as the executor's block manager names a block
 * by its chain hash); once no sequence holds it, it stays cached (least-recently-released first out)
 * until its space is needed, so a later sequence with the same prefix can reuse it.
 */
final class BlockPool {

    private static final long NO_KEY = -1L;
    static final int NONE = -1;

    private final int capacity;
    private final int[] refCount; // (capacity) sequences holding the block
    private final long[] keyOf; // (capacity) prefix key of the block, NO_KEY if private
    private final int[] lruPrev; // (capacity) cached-block list links, oldest at the head
    private final int[] lruNext; // (capacity)
    private final int[] freeStack; // (capacity) blocks holding nothing
    private final LongIntHashMap slotOfKey;
    private int freeCount;
    private int cachedCount;
    private int lruHead = NONE;
    private int lruTail = NONE;

    BlockPool(int capacity) {
        this.capacity = capacity;
        refCount = new int[capacity];
        keyOf = new long[capacity];
        Arrays.fill(keyOf, NO_KEY);
        lruPrev = new int[capacity];
        lruNext = new int[capacity];
        freeStack = new int[capacity];
        for (int i = 0; i < capacity; i++) {
            freeStack[i] = capacity - 1 - i;
        }
        freeCount = capacity;
        slotOfKey = new LongIntHashMap(capacity);
    }

    int capacity() {
        return capacity;
    }

    /** Blocks held by running sequences. */
    int inUse() {
        return capacity - freeCount - cachedCount;
    }

    /** Blocks holding KV: in use plus cached. */
    int resident() {
        return capacity - freeCount;
    }

    /** Blocks that could be handed out now: free plus cached ones nobody holds. */
    int reclaimable() {
        return freeCount + cachedCount;
    }

    /** The block registered under {@code key}, or {@code NONE} (-1). */
    int lookup(long key) {
        return slotOfKey.getOrDefault(key, NONE);
    }

    boolean isHeld(int block) {
        return refCount[block] > 0;
    }

    /** Takes a hold on a registered block, taking it off the cached list if nobody held it. */
    void pin(int block) {
        if (refCount[block] == 0) {
            unlinkCached(block);
        }
        refCount[block]++;
    }

    /** Hands out a block, free ones first, else evicting the oldest cached one (its prefix is lost). */
    int allocate() {
        int block;
        if (freeCount > 0) {
            block = freeStack[--freeCount];
        } else if (lruHead != NONE) {
            block = lruHead;
            unlinkCached(block);
            slotOfKey.remove(keyOf[block]);
            keyOf[block] = NO_KEY;
        } else {
            throw new IllegalStateException("Cannot allocate a KV block: all " + capacity + " are held by running sequences");
        }
        refCount[block] = 1;
        return block;
    }

    /**
     * Names {@code block}, held and just computed, by its prefix key, and returns the block the holder keeps: itself,
     * or the block that already has that name (the holder then takes a hold on that one and this one is freed).
     */
    int commit(int block, long key) {
        int twin = lookup(key);
        if (twin == NONE) {
            slotOfKey.put(key, block);
            keyOf[block] = key;
            return block;
        }
        if (twin != block) {
            pin(twin);
            release(block);
        }
        return twin;
    }

    /** Drops a hold; a block nobody holds is cached if it has a prefix key, else freed. */
    void release(int block) {
        if (--refCount[block] > 0) {
            return;
        }
        if (keyOf[block] == NO_KEY) {
            freeStack[freeCount++] = block;
            return;
        }
        lruPrev[block] = lruTail;
        lruNext[block] = NONE;
        if (lruTail == NONE) {
            lruHead = block;
        } else {
            lruNext[lruTail] = block;
        }
        lruTail = block;
        cachedCount++;
    }

    private void unlinkCached(int block) {
        int prev = lruPrev[block];
        int next = lruNext[block];
        if (prev == NONE) {
            lruHead = next;
        } else {
            lruNext[prev] = next;
        }
        if (next == NONE) {
            lruTail = prev;
        } else {
            lruPrev[next] = prev;
        }
        cachedCount--;
    }
}
