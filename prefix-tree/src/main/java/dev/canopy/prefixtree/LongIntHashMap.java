package dev.canopy.prefixtree;

import java.util.Arrays;

/**
 * Open-addressing hash map from non-negative {@code long} keys to {@code int} values, without boxing.
 *
 * <p>Linear probing with backward-shift deletion, so removals leave no tombstones. The tree keys
 * children by {@code (parent << 32) | firstToken} and the simulator keys KV blocks by
 * {@code (node << 32) | blockIndex}: both are non-negative, so a negative key marks an empty slot.
 */
final class LongIntHashMap {

    private static final long EMPTY = -1L;
    private static final int MIN_CAPACITY = 16;

    private long[] keys; // (capacity) EMPTY where the slot is free
    private int[] values; // (capacity) value of the key in the same slot
    private int mask;
    private int size;

    LongIntHashMap(int expectedSize) {
        allocate(capacityFor(Math.max(expectedSize, 1)));
    }

    int size() {
        return size;
    }

    /** Returns the value stored for {@code key}, or {@code absent} when the key is not in the map. */
    int getOrDefault(long key, int absent) {
        for (int i = slot(key); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) {
                return values[i];
            }
            if (k == EMPTY) {
                return absent;
            }
        }
    }

    /** Stores {@code value} for {@code key}, replacing any earlier value. */
    void put(long key, int value) {
        if (key < 0) {
            throw new IllegalArgumentException("Cannot store key " + key + ": keys must be non-negative");
        }
        int i = slot(key);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            keys[i] = key;
            size++;
        }
        values[i] = value;
        if (size * 10L > keys.length * 6L) {
            rehash(keys.length * 2);
        }
    }

    /** Removes {@code key}; returns whether it was present. */
    boolean remove(long key) {
        int i = slot(key);
        while (keys[i] != key) {
            if (keys[i] == EMPTY) {
                return false;
            }
            i = (i + 1) & mask;
        }
        size--;
        // Backward-shift: move later entries of the probe run into the hole when their home allows it.
        int hole = i;
        for (int j = (hole + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int home = slot(keys[j]);
            boolean homeBetweenHoleAndJ = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
            if (!homeBetweenHoleAndJ) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = EMPTY;
        return true;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (int) h & mask;
    }

    private void rehash(int newCapacity) {
        long[] oldKeys = keys;
        int[] oldValues = values;
        allocate(newCapacity);
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                int j = slot(oldKeys[i]);
                while (keys[j] != EMPTY) {
                    j = (j + 1) & mask;
                }
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        Arrays.fill(keys, EMPTY);
        values = new int[capacity];
        mask = capacity - 1;
    }

    private static int capacityFor(int expectedSize) {
        long wanted = Math.max(MIN_CAPACITY, expectedSize * 2L);
        if (wanted > (1 << 30)) {
            throw new IllegalArgumentException("Cannot size a hash map for " + expectedSize + " entries: at most 2^29 are supported");
        }
        return Integer.highestOneBit((int) wanted - 1) << 1;
    }
}
