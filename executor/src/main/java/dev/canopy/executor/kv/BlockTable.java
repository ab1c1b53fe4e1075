package dev.canopy.executor.kv;

import java.util.Arrays;

/**
 * The physical KV block ids of one sequence, in position order: position {@code p} lives in block
 * {@code blockId(p / blockSize)} at offset {@code p % blockSize}. Only the {@link BlockManager} changes a table;
 * it may replace entries between steps (copy-on-write, merging a block into an identical cached one), so a
 * runner reads the table afresh for every forward pass.
 */
public final class BlockTable {

    private int[] blockIds = new int[8]; // (capacity) the first size entries are the table
    private int size;
    private int numCommittedBlocks;
    private int numReleasedBlocks; // leading entries given back (outside a sliding window): no longer held

    /** Number of blocks in the table. */
    public int size() {
        return size;
    }

    /** Whether the table holds no block (the sequence holds no KV memory). */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Physical block id of logical block {@code index}, which must be held (not {@link #isReleased released}). */
    public int blockId(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("Cannot read block table entry " + index + ": the table has " + size
                    + " blocks");
        }
        if (index < numReleasedBlocks) {
            throw new IllegalStateException("Cannot read block table entry " + index + ": the first "
                    + numReleasedBlocks + " blocks were released (outside the sliding window); read entries from "
                    + numReleasedBlocks + " on");
        }
        return blockIds[index];
    }

    /**
     * Leading blocks given back because no remaining query of the sequence can see them
     * ({@link BlockManager#releaseOutOfWindow}); their entries hold no block any more.
     */
    public int numReleasedBlocks() {
        return numReleasedBlocks;
    }

    /** Whether logical block {@code index} was released (outside the sliding window). */
    public boolean isReleased(int index) {
        return index < numReleasedBlocks;
    }

    /** Blocks the table holds now: its size less the released leading entries. */
    public int heldBlockCount() {
        return size - numReleasedBlocks;
    }

    /** A copy of the block ids, in position order; a released entry reads {@value PrefixCache#NO_BLOCK}. */
    public int[] toArray() {
        int[] ids = Arrays.copyOf(blockIds, size);
        Arrays.fill(ids, 0, numReleasedBlocks, PrefixCache.NO_BLOCK);
        return ids;
    }

    @Override
    public String toString() {
        return Arrays.toString(toArray());
    }

    /** Leading blocks already offered to the prefix cache (full, computed, and never written again). */
    int numCommittedBlocks() {
        return numCommittedBlocks;
    }

    void setNumCommittedBlocks(int n) {
        numCommittedBlocks = n;
    }

    void setNumReleasedBlocks(int n) {
        numReleasedBlocks = n;
    }

    void add(int blockId) {
        if (size == blockIds.length) {
            blockIds = Arrays.copyOf(blockIds, size * 2);
        }
        blockIds[size++] = blockId;
    }

    void set(int index, int blockId) {
        blockIds[index] = blockId;
    }

    void clear() {
        size = 0;
        numCommittedBlocks = 0;
        numReleasedBlocks = 0;
    }
}
