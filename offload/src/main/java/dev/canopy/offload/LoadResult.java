package dev.canopy.offload;

import java.io.IOException;

/** What {@link TieredKvStore#load} found. Anything but {@link Loaded} means: recompute the block. */
public sealed interface LoadResult {

    /** Whether the destination now holds the block's exact bytes. */
    default boolean isLoaded() {
        return this instanceof Loaded;
    }

    /** The block's bytes were copied out of tier {@code tier} (0 = fastest). */
    record Loaded(int tier) implements LoadResult {
    }

    /** No block of that key is stored: never offloaded, dropped, rejected or evicted from the last tier. */
    record Missing() implements LoadResult {
    }

    /** The block was stored but a fault destroyed it (IO error, failed checksum); the store has forgotten it. */
    record Lost(IOException cause) implements LoadResult {
    }
}
