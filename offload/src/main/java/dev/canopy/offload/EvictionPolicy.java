package dev.canopy.offload;

import java.util.Optional;
import java.util.function.Predicate;

/**
 * Orders the blocks resident in one tier by which to evict first. The owner of the tier tells the policy what
 * happens to blocks ({@link #onInsert}, {@link #onAccess}, {@link #onRemove}) and asks it for victims. Not
 * thread-safe: the owner serializes calls.
 */
public interface EvictionPolicy {

    /** {@code key} became resident (most recently used). */
    void onInsert(BlockKey key);

    /** {@code key}, resident, was read. */
    void onAccess(BlockKey key);

    /** {@code key} left the tier; unknown keys are ignored. */
    void onRemove(BlockKey key);

    /** Resident blocks. */
    int size();

    /**
     * The resident block to evict first among those {@code evictable} accepts (the owner excludes pinned blocks and
     * blocks with IO in flight). Changes nothing.
     */
    Optional<BlockKey> victim(Predicate<BlockKey> evictable);

    /**
     * Whether {@code key} will be read again. Evicting a block without future use drops it instead of writing it to a
     * lower tier. Always true for policies that do not know the future.
     */
    default boolean hasFutureUse(BlockKey key) {
        return true;
    }

    /**
     * Whether {@code incoming}, not resident, should leave before {@code resident} would: then a full tier keeps
     * {@code resident} and does not admit {@code incoming}. Always false for policies that favour new blocks.
     */
    default boolean evictsBefore(BlockKey incoming, BlockKey resident) {
        return false;
    }
}
