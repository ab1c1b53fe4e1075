package dev.canopy.offload;

import java.io.IOException;
import java.util.OptionalInt;

/**
 * What the tiers share: a fixed block size, a {@link SlotTable} of {@code capacityBytes / blockBytes} slots, and the
 * discipline around it (a write is visible only once complete; a read pins its slot against reuse).
 */
abstract class SlottedTier implements KvTier {

    /** Work on one slot; may do IO. */
    @FunctionalInterface
    interface SlotAction {
        void run(int slot) throws IOException;
    }

    private final String name;
    private final long blockBytes;
    private final SlotTable slots;

    /**
     * @throws IllegalArgumentException when {@code blockBytes} is not positive or the capacity holds no block
     */
    SlottedTier(String name, long capacityBytes, long blockBytes) {
        long blocks = blockBytes < 1 ? 0 : capacityBytes / blockBytes;
        if (blocks < 1 || blocks > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Cannot create the " + name + " tier: a capacity of " + capacityBytes
                    + " bytes must hold between 1 and 2^31-8 blocks of " + blockBytes + " bytes");
        }
        this.name = name;
        this.blockBytes = blockBytes;
        this.slots = new SlotTable(name, (int) blocks);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final long blockBytes() {
        return blockBytes;
    }

    @Override
    public final int capacityBlocks() {
        return slots.capacity();
    }

    @Override
    public final int usedBlocks() {
        return slots.used();
    }

    @Override
    public final boolean contains(BlockKey key) {
        return slots.contains(key);
    }

    @Override
    public final boolean remove(BlockKey key) {
        return slots.remove(key);
    }

    /**
     * Takes a slot for {@code key}.
     *
     * @throws IllegalStateException when the key is present or being written, or the tier is full
     */
    final int reserveSlot(BlockKey key) {
        return slots.beginWrite(key);
    }

    /** Runs {@code fill} on the slot reserved for {@code key}, then publishes the block, or frees the slot if it throws. */
    final void fillSlot(BlockKey key, int slot, SlotAction fill) throws IOException {
        try {
            fill.run(slot);
        } catch (IOException | RuntimeException | Error e) {
            slots.abortWrite(key);
            throw e;
        }
        slots.commitWrite(key);
    }

    /** Runs {@code read} on the slot of {@code key}, pinned meanwhile; false when the key is not stored. */
    final boolean readSlot(BlockKey key, SlotAction read) throws IOException {
        OptionalInt slot = slots.beginRead(key);
        if (slot.isEmpty()) {
            return false;
        }
        try {
            read.run(slot.getAsInt());
            return true;
        } finally {
            slots.endRead(slot.getAsInt());
        }
    }

    /** Forgets {@code key} if its block is still the one in {@code slot} (found damaged there). */
    final void forgetDamaged(BlockKey key, int slot) {
        slots.removeAt(key, slot);
    }
}
