package dev.canopy.executor.kv;

/**
 * The blocks nobody references, in eviction order: blocks are taken from the head, so the head is the
 * least valuable (no cached content, or cached content unused for longest) and the tail the most recently
 * freed cached block. Every operation, including removing a block from the middle to revive it, is O(1):
 * a doubly linked list threaded through two arrays.
 */
final class FreeBlockList {

    private final int sentinel;
    private final int[] next; // (numBlocks + 1) successor of each block; index numBlocks is the sentinel
    private final int[] prev; // (numBlocks + 1) predecessor of each block
    private final boolean[] member; // (numBlocks) whether the block is in the list
    private int size;

    /** A list holding every block, in id order. */
    FreeBlockList(int numBlocks) {
        sentinel = numBlocks;
        next = new int[numBlocks + 1];
        prev = new int[numBlocks + 1];
        member = new boolean[numBlocks];
        next[sentinel] = sentinel;
        prev[sentinel] = sentinel;
        for (int block = 0; block < numBlocks; block++) {
            pushTail(block);
        }
    }

    int size() {
        return size;
    }

    boolean contains(int block) {
        return member[block];
    }

    /** Adds a block to be taken first (it holds nothing worth keeping). */
    void pushHead(int block) {
        insertAfter(sentinel, block);
    }

    /** Adds a block to be taken last (it holds cached content that was just in use). */
    void pushTail(int block) {
        insertAfter(prev[sentinel], block);
    }

    /** Removes and returns the head block; the list must not be empty. */
    int popHead() {
        if (size == 0) {
            throw new IllegalStateException("Cannot take a free block: the free list is empty");
        }
        int block = next[sentinel];
        remove(block);
        return block;
    }

    /** Removes a block that is in the list. */
    void remove(int block) {
        if (!member[block]) {
            throw new IllegalStateException("Cannot remove block " + block + " from the free list: it is not free");
        }
        next[prev[block]] = next[block];
        prev[next[block]] = prev[block];
        member[block] = false;
        size--;
    }

    private void insertAfter(int anchor, int block) {
        if (member[block]) {
            throw new IllegalStateException("Cannot free block " + block + ": it is already free");
        }
        int after = next[anchor];
        next[anchor] = block;
        prev[block] = anchor;
        next[block] = after;
        prev[after] = block;
        member[block] = true;
        size++;
    }
}
