package dev.canopy.offload;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One level of KV storage below the primary pool (where attention reads): fixed-size blocks of {@link #blockBytes()}
 * bytes named by {@link BlockKey}, up to {@link #capacityBlocks()} of them. A block is written once and read any
 * number of times until removed; writing a key that is present is an error (remove it first).
 *
 * <p>Implementations are thread-safe: every method may be called from any thread, and a block read or written
 * concurrently with its removal is either fully read/written or not found, never torn. A read never returns bytes
 * that differ from those written: a tier that can detect damage throws {@link CorruptBlockException} instead.
 */
public interface KvTier extends AutoCloseable {

    /** Short name for metrics and messages ("host", "disk"). */
    String name();

    /** Bytes of every block. */
    long blockBytes();

    /** Most blocks the tier holds. */
    int capacityBlocks();

    /** Blocks stored or being written now. */
    int usedBlocks();

    /** {@code capacityBlocks() * blockBytes()}. */
    default long capacityBytes() {
        return capacityBlocks() * blockBytes();
    }

    /** {@code usedBlocks() * blockBytes()}. */
    default long usedBytes() {
        return usedBlocks() * blockBytes();
    }

    /** Whether a block of this key is stored (fully written and not removed). */
    boolean contains(BlockKey key);

    /**
     * Stores a copy of {@code payload} under {@code key}.
     *
     * @param payload (blockBytes) bytes; read during the call only
     * @throws IllegalStateException when the key is present or being written, or the tier is full
     * @throws IOException when the storage fails (for example a full disk); nothing is stored then
     */
    default void put(BlockKey key, MemorySegment payload) throws IOException {
        requireBlockSized(payload, "store");
        putWith(key, slot -> MemorySegment.copy(payload, 0, slot, 0, blockBytes()));
    }

    /**
     * Stores the block that {@code writer} produces into the tier's own storage (see {@link #put}).
     *
     * @throws IOException from {@code writer} or the storage; nothing is stored then
     */
    void putWith(BlockKey key, BlockWriter writer) throws IOException;

    /**
     * Copies the block of {@code key} into {@code dst}.
     *
     * @param dst (blockBytes) bytes; undefined content when this throws
     * @return false when no block of that key is stored
     * @throws CorruptBlockException when the stored bytes fail verification (the block is removed)
     * @throws IOException when the storage fails
     */
    default boolean get(BlockKey key, MemorySegment dst) throws IOException {
        requireBlockSized(dst, "read");
        return read(key, block -> MemorySegment.copy(block, 0, dst, 0, blockBytes()));
    }

    /**
     * Lends the verified bytes of the block of {@code key} to {@code reader}; the block stays stored meanwhile
     * even if removed concurrently.
     *
     * @return false when no block of that key is stored ({@code reader} is not called)
     * @throws CorruptBlockException when the stored bytes fail verification (the block is removed)
     * @throws IOException from the storage or from {@code reader}
     */
    boolean read(BlockKey key, BlockReader reader) throws IOException;

    /**
     * Forgets the block of {@code key}; its space is reused once concurrent reads of it finish.
     *
     * @return whether a block was stored
     */
    boolean remove(BlockKey key);

    /**
     * {@link #put} without waiting: the returned future completes when the block is stored, or exceptionally with
     * the {@link IOException} (wrapped in a {@link CompletionException}). {@code payload} must stay unchanged until
     * then. The default runs synchronously, for tiers whose writes are memory copies.
     */
    default CompletableFuture<Void> putAsync(BlockKey key, MemorySegment payload) {
        try {
            put(key, payload);
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new CompletionException(e));
        }
    }

    /**
     * {@link #get} without waiting: completes with whether the block was found, or exceptionally with the
     * {@link IOException}. {@code dst} must not be read before completion. The default runs synchronously.
     */
    default CompletableFuture<Boolean> getAsync(BlockKey key, MemorySegment dst) {
        try {
            return CompletableFuture.completedFuture(get(key, dst));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new CompletionException(e));
        }
    }

    /** Releases the tier's memory or files; the tier is unusable afterwards. */
    @Override
    void close();

    /**
     * Checks that {@code segment} is exactly one block long.
     *
     * @throws IllegalArgumentException naming the sizes otherwise
     */
    default void requireBlockSized(MemorySegment segment, String action) {
        if (segment.byteSize() != blockBytes()) {
            throw new IllegalArgumentException("Cannot " + action + " a block in the " + name() + " tier: the buffer has "
                    + segment.byteSize() + " bytes but blocks have " + blockBytes());
        }
    }
}
