package dev.canopy.offload;

import java.io.IOException;

/**
 * A stored block failed verification on read (checksum mismatch, wrong key in its header, truncated slot). The tier
 * has already forgotten the block; its bytes must not be used and the caller recomputes it.
 */
public final class CorruptBlockException extends IOException {

    private final BlockKey key;

    public CorruptBlockException(BlockKey key, String message) {
        super(message);
        this.key = key;
    }

    /** The block that failed verification. */
    public BlockKey key() {
        return key;
    }
}
