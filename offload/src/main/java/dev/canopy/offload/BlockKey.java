package dev.canopy.offload;

import java.util.Comparator;

/**
 * Names one KV block outside the primary pool. The store treats both parts as opaque; the engine names every block by
 * its content (see the engine's {@code BlockKeys}): {@code owner} is the chain hash of the block's token prefix, so a
 * swapped-out block and a spilled prefix-cache block of the same tokens have one key and are stored once.
 *
 * @param owner the block's name: for the engine, the chain hash of its tokens
 * @param index the block's position in a sequence's block table, at least 0
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
