package dev.canopy.offload;

import java.util.Comparator;

/**
 * Names one KV block outside the primary pool: whose it is and where it sits in the owner's block table.
 *
 * @param owner what the block belongs to: a sequence id for a swapped-out sequence, or a chain hash for a shared
 *              prefix block (the caller picks one naming scheme per store)
 * @param index the block's position in the owner's block table, at least 0
 */
public record BlockKey(long owner, int index) implements Comparable<BlockKey> {

    private static final Comparator<BlockKey> ORDER =
            Comparator.comparingLong(BlockKey::owner).thenComparingInt(BlockKey::index);

    public BlockKey {
        if (index < 0) {
            throw new IllegalArgumentException("Cannot name a KV block: index must be at least 0, got " + index);
        }
    }

    @Override
    public int compareTo(BlockKey other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return owner + "/" + index;
    }
}
