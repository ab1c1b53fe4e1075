package dev.canopy.offload;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * KV blocks in off-heap memory under a byte limit: a slab allocator over {@link MemorySegment}s. Slabs of up to
 * {@value #SLAB_BYTES} bytes are allocated when first needed (so an unused limit costs nothing) and kept until
 * {@link #close()}; freed slots are reused. Reads and writes copy outside any lock, so they run in parallel.
 */
public final class HostMemoryTier extends SlottedTier {

    /** Largest slab allocated at once. */
    public static final long SLAB_BYTES = 64L << 20;

    private final int blocksPerSlab;
    private final Arena arena = Arena.ofShared();
    private final List<MemorySegment> slabs = new ArrayList<>(); // each (blocksPerSlab * blockBytes) bytes, the last maybe fewer

    /**
     * A tier of {@code floor(capacityBytes / blockBytes)} blocks.
     *
     * @throws IllegalArgumentException when {@code blockBytes} is not positive or the limit holds no block
     */
    public HostMemoryTier(long capacityBytes, long blockBytes) {
        super("host", capacityBytes, blockBytes);
        this.blocksPerSlab = Math.clamp(SLAB_BYTES / blockBytes, 1, capacityBlocks());
    }

    /** Bytes allocated from the operating system so far (whole slabs). */
    public synchronized long allocatedBytes() {
        return slabs.stream().mapToLong(MemorySegment::byteSize).sum();
    }

    @Override
    public void putWith(BlockKey key, BlockWriter writer) throws IOException {
        fillSlot(key, reserveSlot(key), slot -> writer.write(segment(slot)));
    }

    @Override
    public boolean read(BlockKey key, BlockReader reader) throws IOException {
        return readSlot(key, slot -> reader.read(segment(slot).asReadOnly()));
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
            int blocks = Math.min(blocksPerSlab, capacityBlocks() - slabs.size() * blocksPerSlab);
            slabs.add(arena.allocate(blocks * blockBytes(), 64));
        }
        return slabs.get(slab).asSlice((slot % blocksPerSlab) * blockBytes(), blockBytes());
    }

    @Override
    public String toString() {
        return "HostMemoryTier[" + usedBlocks() + "/" + capacityBlocks() + " blocks of " + blockBytes() + " bytes]";
    }
}
