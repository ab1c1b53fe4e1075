package dev.canopy.executor.sched;

import dev.canopy.executor.kv.BlockCopy;
import dev.canopy.executor.kv.BlockManager;
import java.util.List;

/**
 * The KV pool of a model's sliding-window layers, beside the scheduler's main {@link BlockManager}: each sequence's
 * {@link Sequence#localBlockTable()} holds only its window, the blocks no remaining query can see going back before
 * each step ({@link BlockManager#releaseOutOfWindow}). {@link #NONE}: every layer uses the main pool.
 */
interface LocalKvPool {

    /** No pool of their own: the local layers share the main pool's blocks. */
    LocalKvPool NONE = new LocalKvPool() {
    };

    /** The local layers of a window of {@code window} tokens keep their blocks in {@code pool}. */
    static LocalKvPool windowed(BlockManager pool, int window) {
        return new WindowedLocalPool(pool, window);
    }

    /** Whether the local layers have a pool of their own (batches then carry the local block tables). */
    default boolean isSeparate() {
        return false;
    }

    /** Leading blocks of {@code seq}'s prompt this pool still holds in its prefix cache. */
    default int cachedPrefixBlocks(Sequence seq) {
        return Integer.MAX_VALUE;
    }

    default boolean canAllocate(Sequence seq, int maxCachedBlocks) {
        return true;
    }

    default void allocate(Sequence seq, int maxCachedBlocks) {
    }

    /** Gives back the blocks of {@code seq} that left the window; call before {@link #canAppend}. */
    default void releaseOutOfWindow(Sequence seq) {
    }

    default boolean canAppend(Sequence seq, int numNewTokens) {
        return true;
    }

    /** The copies among the local layers' blocks the runner applies before the forward pass. */
    default List<BlockCopy> appendSlots(Sequence seq, int numNewTokens) {
        return List.of();
    }

    default void markComputed(Sequence seq) {
    }

    default void fork(Sequence parent, Sequence child) {
    }

    default void free(Sequence seq) {
    }

    default void checkInvariants() {
    }
}
