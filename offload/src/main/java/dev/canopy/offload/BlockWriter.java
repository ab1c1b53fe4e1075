package dev.canopy.offload;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/** Fills a block's bytes in place, for {@link KvTier#putWith}: no staging copy. */
@FunctionalInterface
public interface BlockWriter {

    /**
     * Writes the whole block into {@code slot}.
     *
     * @param slot the tier's storage for the block: (blockBytes) bytes, valid only during this call
     * @throws IOException when the bytes cannot be produced (the tier then stores nothing)
     */
    void write(MemorySegment slot) throws IOException;
}
