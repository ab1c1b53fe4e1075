package dev.canopy.executor.sample;

/**
 * Counter-based randomness: the uniform number for draw {@code step} of sample {@code sampleIndex} is a hash
 * of {@code (seed, sampleIndex, step)}, so it does not depend on batching, scheduling order, preemption or on
 * any other draw. SplitMix64 finalizers chain the three coordinates.
 */
final class CounterRandom {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private CounterRandom() {
    }

    /** A double uniform in [0, 1) determined by the three coordinates. */
    static double uniform(long seed, int sampleIndex, int step) {
        long h = mix(seed + GOLDEN);
        h = mix(h + GOLDEN * (sampleIndex + 1L));
        h = mix(h + GOLDEN * (step + 1L) * 0xD1B54A32D192ED03L);
        return (h >>> 11) * 0x1.0p-53;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
