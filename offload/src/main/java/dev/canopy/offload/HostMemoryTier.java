package dev.canopy.offload;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * KV blocks in off-heap memory under a byte limit: a slab allocator over {@link MemorySegment}s. Slabs of up to
 * {@value #SLAB_BYTES} bytes are allocated when first needed (so an unused limit costs nothing) and kept until
 * {@link #close()}; freed slots are reused. Reads and writes copy outside any lock, so they run in parallel.
 */
public final class HostMemoryTier implements KvTier {

    /** Largest slab allocated at once. */
    public static final long SLAB_BYTES = 64L << 20;

    private final long blockBytes;
    private final int blocksPerSlab;
    private final SlotTable slots;
    private final Arena arena = Arena.ofShared();
    private final List<MemorySegment> slabs = new ArrayList<>(); // each (blocksPerSlab * blockBytes) bytes

    /**
     * A tier of {@code floor(capacityBytes / blockBytes)} blocks.
     *
     * @throws IllegalArgumentException when {@code blockBytes} is not positive or the limit holds no block
     */
    public HostMemoryTier(long capacityBytes, long blockBytes) {
        if (blockBytes < 1) {
            throw new IllegalArgumentException("Cannot create the host tier: blockBytes must be positive, got "
                    + blockBytes);
        }
        long blocks = capacityBytes / blockBytes;
        if (blocks < 1 || blocks > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Cannot create the host tier: a limit of " + capacityBytes
                    + " bytes must hold between 1 and 2^31-8 blocks of " + blockBytes + " bytes");
        }
        this.blockBytes = blockBytes;
        this.blocksPerSlab = (int) Math.clamp(SLAB_BYTES / blockBytes, 1, blocks);
        this.slots = new SlotTable("host", (int) blocks);
    }

    @Override
    public String name() {
        return "host";
    }

    @Override
    public long blockBytes() {
        return blockBytes;
    }

    @Override
    public int capacityBlocks() {
        return slots.capacity();
    }

    @Override
    public int usedBlocks() {
        return slots.used();
    }

    /** Bytes allocated from the operating system so far (whole slabs). */
    public synchronized long allocatedBytes() {
        return slabs.stream().mapToLong(MemorySegment::byteSize).sum();
    }

    @Override
    public boolean contains(BlockKey key) {
        return slots.contains(key);
    }

    @Override
    public void putWith(BlockKey key, BlockWriter writer) throws IOException {
        int slot = slots.beginWrite(key);
        try {
            writer.write(segment(slot));
        } catch (IOException | RuntimeException | Error e) {
            slots.abortWrite(key);
            throw e;
        }
        slots.commitWrite(key);
    }

    @Override
    public boolean read(BlockKey key, BlockReader reader) throws IOException {
        OptionalInt slot = slots.beginRead(key);
        if (slot.isEmpty()) {
            return false;
        }
        try {
            reader.read(segment(slot.getAsInt()).asReadOnly());
            return true;
        } finally {
            slots.endRead(slot.getAsInt());
        }
    }

    @Override
    public boolean remove(BlockKey key) {
        return slots.remove(key);
    }

    @Override
    public synchronized void close() {
        arena.close();
        slabs.clear();
    }

    /** The memory of {@code slot}, allocating its slab on first use: (blockBytes) bytes. */
    private synchronized MemorySegment segment(int slot) {
        int slab = slot / blocksPerSlab;
        while (slabs.size() <= slab) {
            int blocks = Math.min(blocksPerSlab, slots.capacity() - slabs.size() * blocksPerSlab);
            slabs.add(arena.allocate(blocks * blockBytes, 64));
        }
        return slabs.get(slab).asSlice((slot % blocksPerSlab) * blockBytes, blockBytes);
    }

    @Override
    public String toString() {
        return "HostMemoryTier[" + usedBlocks() + "/" + capacityBlocks() + " blocks of " + blockBytes + " bytes]";
    }
}
