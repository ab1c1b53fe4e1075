package dev.canopy.offload;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/** Reads a block's bytes where they lie, for {@link KvTier#read}: no staging copy when the tier is in memory. */
@FunctionalInterface
public interface BlockReader {

    /**
     * Consumes the block.
     *
     * @param block the block's verified bytes: (blockBytes) bytes, read-only, valid only during this call
     * @throws IOException passed through to the caller of {@link KvTier#read}
     */
    void read(MemorySegment block) throws IOException;
}
