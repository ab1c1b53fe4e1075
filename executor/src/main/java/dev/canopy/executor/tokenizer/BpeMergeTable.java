package dev.canopy.executor.tokenizer;

import java.util.Arrays;
import java.util.Optional;

/**
 * The merges of a byte-level BPE vocabulary by symbol pair: (left, right) → merged symbol and rank
 * (the merge's index in {@code tokenizer.ggml.merges}; lower merges first). An open-addressing hash
 * table on the packed pair, so lookups allocate nothing and 300k merges take a few MB.
 */
final class BpeMergeTable {

    private final long[] keys; // (capacity) packed (left << 32 | right), or EMPTY
    private final SymbolMerger.Merge[] merges; // (capacity) merge stored under keys[i]
    private final int mask;
    private int size;

    private static final long EMPTY = -1L;

    /** A table with room for {@code expected} merges. */
    BpeMergeTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) * 2;
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        merges = new SymbolMerger.Merge[capacity];
        mask = capacity - 1;
    }

    /** Adds a merge unless the pair already has one (the earlier, lower-ranked merge wins). */
    void putIfAbsent(int left, int right, SymbolMerger.Merge merge) {
        if (size * 2 >= keys.length) {
            throw new IllegalStateException("Cannot add merge: table sized for " + keys.length / 2 + " merges is full");
        }
        long key = pack(left, right);
        int slot = slotOf(key);
        if (keys[slot] == EMPTY) {
            keys[slot] = key;
            merges[slot] = merge;
            size++;
        }
    }

    /** The merge of {@code left} followed by {@code right}, if there is one. */
    Optional<SymbolMerger.Merge> find(int left, int right) {
        long key = pack(left, right);
        int slot = slotOf(key);
        return keys[slot] == EMPTY ? Optional.empty() : Optional.of(merges[slot]);
    }

    /** The slot holding {@code key}, or the empty slot where it would go. */
    private int slotOf(long key) {
        int slot = (int) mix(key) & mask;
        while (keys[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private static long pack(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private static long mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }
}
