package dev.canopy.prefixtree;

import java.util.Arrays;

/**
 * A paged KV cache of fixed-size blocks with prefix caching, for the simulator: a full prompt block
 * is registered under a key naming its whole prefix; once no sequence holds it, it stays cached
 * (least-recently-released first out) until its space is needed, so a later sequence with the same
 * prefix can reuse it. A block is reusable only once the sequence computing it has passed its end.
 */
final class BlockPool {

    private static final long NO_KEY = -1L;
    private static final int NONE = -1;

    private final int capacity;
    private final int[] refCount; // (capacity) sequences holding the block
    private final long[] keyOf; // (capacity) prefix key of the block, NO_KEY if private
    private final boolean[] computed; // (capacity) whether the block's KV is complete
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
        computed = new boolean[capacity];
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

    boolean isComputed(int block) {
        return computed[block];
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
        computed[block] = false;
        return block;
    }

    /** Names a freshly allocated block by its prefix key, unless another block already has that name. */
    void register(int block, long key) {
        if (slotOfKey.getOrDefault(key, NONE) == NONE) {
            slotOfKey.put(key, block);
            keyOf[block] = key;
        }
    }

    void markComputed(int block) {
        computed[block] = true;
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
