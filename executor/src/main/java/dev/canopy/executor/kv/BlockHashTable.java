package dev.canopy.executor.kv;

/**
 * Map from block hash to block id without boxing: open addressing with linear probing and backward-shift
 * deletion. Its capacity is fixed at construction (each block holds at most one entry, so it never grows).
 */
final class BlockHashTable {

    static final int ABSENT = -1;

    private final long[] keys; // (capacity) hash stored in each slot
    private final int[] values; // (capacity) block id + 1 in each slot; 0 marks an empty slot
    private final int mask;
    private int size;

    /** A table that can hold {@code maxEntries} entries at load factor at most 1/2. */
    BlockHashTable(int maxEntries) {
        int capacity = Integer.highestOneBit(Math.max(2, maxEntries) * 2 - 1) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        mask = capacity - 1;
    }

    int size() {
        return size;
    }

    /** Block stored under {@code hash}, or {@link #ABSENT}. */
    int get(long hash) {
        for (int slot = home(hash); values[slot] != 0; slot = (slot + 1) & mask) {
            if (keys[slot] == hash) {
                return values[slot] - 1;
            }
        }
        return ABSENT;
    }

    /** Stores {@code block} under {@code hash}, replacing any block stored there. */
    void put(long hash, int block) {
        int slot = home(hash);
        while (values[slot] != 0 && keys[slot] != hash) {
            slot = (slot + 1) & mask;
        }
        if (values[slot] == 0) {
            if (size + 1 > mask) {
                throw new IllegalStateException("Cannot cache block " + block + ": the hash table of " + (mask + 1)
                        + " slots is full");
            }
            size++;
        }
        keys[slot] = hash;
        values[slot] = block + 1;
    }

    /** Removes the entry for {@code hash}, if any. */
    void remove(long hash) {
        int slot = home(hash);
        while (values[slot] != 0 && keys[slot] != hash) {
            slot = (slot + 1) & mask;
        }
        if (values[slot] == 0) {
            return;
        }
        int hole = slot;
        for (int probe = (hole + 1) & mask; values[probe] != 0; probe = (probe + 1) & mask) {
            int wanted = home(keys[probe]);
            // The entry at probe may move into the hole unless its home lies cyclically in (hole, probe].
            boolean staysPut = hole <= probe ? hole < wanted && wanted <= probe : hole < wanted || wanted <= probe;
            if (!staysPut) {
                keys[hole] = keys[probe];
                values[hole] = values[probe];
                hole = probe;
            }
        }
        values[hole] = 0;
        size--;
    }

    private int home(long hash) {
        long h = hash * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
