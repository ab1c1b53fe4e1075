package dev.canopy.offload;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Which slot of a tier holds which block: slot allocation (freed slots first, then the lowest never used), blocks
 * being written (invisible until committed), and read pins so that a slot removed while being read is only reused
 * after the read. Thread-safe; every method is short and never does IO.
 */
final class SlotTable {

    private final String tierName;
    private final int capacity;
    private final Map<BlockKey, Integer> stored = new HashMap<>();
    private final Map<BlockKey, Integer> writing = new HashMap<>();
    private final int[] readers; // (capacity) reads in progress per slot
    private final boolean[] removedWhileRead; // (capacity) slot to free when its last read ends
    private final int[] freeSlots; // (capacity) stack of freed slots
    private int numFree;
    private int highWater; // slots [0, highWater) have been handed out at least once

    SlotTable(String tierName, int capacity) {
        this.tierName = tierName;
        this.capacity = capacity;
        readers = new int[capacity];
        removedWhileRead = new boolean[capacity];
        freeSlots = new int[capacity];
    }

    int capacity() {
        return capacity;
    }

    /** Slots not free: stored, being written, or removed while still being read. */
    synchronized int used() {
        return highWater - numFree;
    }

    /** Slots ever handed out: the tier's storage must cover {@code [0, highWater())}. */
    synchronized int highWater() {
        return highWater;
    }

    synchronized boolean contains(BlockKey key) {
        return stored.containsKey(key);
    }

    /**
     * Takes a slot for a new block of {@code key}, invisible to readers until {@link #commitWrite}.
     *
     * @throws IllegalStateException when the key is present or being written, or no slot is free
     */
    synchronized int beginWrite(BlockKey key) {
        if (stored.containsKey(key) || writing.containsKey(key)) {
            throw new IllegalStateException("Cannot store block " + key + " in the " + tierName
                    + " tier: a block of that key is already " + (stored.containsKey(key) ? "stored" : "being written"));
        }
        int slot;
        if (numFree > 0) {
            slot = freeSlots[--numFree];
        } else if (highWater < capacity) {
            slot = highWater++;
        } else {
            throw new IllegalStateException("Cannot store block " + key + " in the " + tierName + " tier: all "
                    + capacity + " slots are in use");
        }
        writing.put(key, slot);
        return slot;
    }

    /** Makes the block written into its slot visible. */
    synchronized void commitWrite(BlockKey key) {
        stored.put(key, writing.remove(key));
    }

    /** Gives back the slot of a write that failed. */
    synchronized void abortWrite(BlockKey key) {
        Integer slot = writing.remove(key);
        if (slot != null) {
            freeSlots[numFree++] = slot;
        }
    }

    /** Pins the slot of {@code key} for reading; empty when the key is not stored. Pair with {@link #endRead}. */
    synchronized OptionalInt beginRead(BlockKey key) {
        Integer slot = stored.get(key);
        if (slot == null) {
            return OptionalInt.empty();
        }
        readers[slot]++;
        return OptionalInt.of(slot);
    }

    /** Unpins a slot; frees it when it was removed during the read and this was its last reader. */
    synchronized void endRead(int slot) {
        if (--readers[slot] == 0 && removedWhileRead[slot]) {
            removedWhileRead[slot] = false;
            freeSlots[numFree++] = slot;
        }
    }

    /** Forgets {@code key}; its slot is reused once no read pins it. Returns whether it was stored. */
    synchronized boolean remove(BlockKey key) {
        Integer slot = stored.get(key);
        return slot != null && removeAt(key, slot);
    }

    /** Forgets {@code key} only if it is still stored in {@code slot} (a damaged slot found by a read). */
    synchronized boolean removeAt(BlockKey key, int slot) {
        Integer current = stored.get(key);
        if (current == null || current != slot) {
            return false;
        }
        stored.remove(key);
        if (readers[slot] > 0) {
            removedWhileRead[slot] = true;
        } else {
            freeSlots[numFree++] = slot;
        }
        return true;
    }
}
