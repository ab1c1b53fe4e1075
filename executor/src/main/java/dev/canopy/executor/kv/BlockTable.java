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

    /** Number of blocks in the table. */
    public int size() {
        return size;
    }

    /** Whether the table holds no block (the sequence holds no KV memory). */
    public boolean isEmpty() {
        return size == 0;
    }

    /** Physical block id of logical block {@code index}. */
    public int blockId(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("Cannot read block table entry " + index + ": the table has " + size
                    + " blocks");
        }
        return blockIds[index];
    }

    /** A copy of the block ids, in position order. */
    public int[] toArray() {
        return Arrays.copyOf(blockIds, size);
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
    }
}
