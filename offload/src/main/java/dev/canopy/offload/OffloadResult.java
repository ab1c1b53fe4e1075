package dev.canopy.offload;

/** What {@link TieredKvStore#offload} did with a block. */
public sealed interface OffloadResult {

    /** Whether the block is now stored (a later load may still miss it if it is evicted or lost meanwhile). */
    default boolean isStored() {
        return this instanceof Stored;
    }

    /** Stored in tier {@code tier} (0 = fastest). */
    record Stored(int tier) implements OffloadResult {
    }

    /** Not written: the plan says the block has no future use. */
    record Dropped() implements OffloadResult {
    }

    /** Not stored: no tier had room or every write failed; the caller recomputes the block when needed. */
    record Rejected(String reason) implements OffloadResult {
    }
}
