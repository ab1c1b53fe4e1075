package dev.canopy.offload;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Deterministic block contents for tests: each seed gives different bytes. */
final class TestBlocks {

    private TestBlocks() {
    }

    /** A fresh (bytes) segment filled from {@code seed}. */
    static MemorySegment pattern(long bytes, long seed) {
        MemorySegment segment = Arena.ofAuto().allocate(bytes, 8);
        fill(segment, seed);
        return segment;
    }

    /** Overwrites {@code segment} with the bytes of {@code seed}. */
    static void fill(MemorySegment segment, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (long i = 0; i < segment.byteSize(); i++) {
            segment.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
    }

    /** A seed for the content of {@code key} at {@code version}. */
    static long seed(BlockKey key, int version) {
        return key.owner() * 1_000_003L + key.index() * 7_919L + version;
    }

    /** Whether {@code a} and {@code b} hold the same bytes. */
    static boolean sameBytes(MemorySegment a, MemorySegment b) {
        return a.byteSize() == b.byteSize() && a.mismatch(b) == -1;
    }

    /** An empty (bytes) segment. */
    static MemorySegment buffer(long bytes) {
        return Arena.ofAuto().allocate(bytes, 8);
    }
}
