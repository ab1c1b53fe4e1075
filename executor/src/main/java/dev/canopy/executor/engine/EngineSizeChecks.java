package dev.canopy.executor.engine;

/**
 * The engine's rules for the sizes of a run, apart from any model file: {@link EngineConfig} checks them on
 * construction, and settings that become an {@code EngineConfig} later (on a Spark executor, say) check them when
 * they are made, with the same messages, instead of failing only where they are used.
 */
public final class EngineSizeChecks {

    private EngineSizeChecks() {
    }

    /**
     * Checks each size against the engine's range.
     *
     * @throws IllegalArgumentException naming the first value out of range, its range and the value
     */
    public static void check(int threads, int maxSeqs, int maxBatchTokens, long kvBudgetBytes, int blockSize) {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("Cannot configure engine: threads must be in [1, 1024], got " + threads);
        }
        if (maxSeqs < 1) {
            throw new IllegalArgumentException("Cannot configure engine: maxSeqs must be at least 1, got " + maxSeqs);
        }
        if (maxBatchTokens < 1) {
            throw new IllegalArgumentException("Cannot configure engine: maxBatchTokens must be at least 1, got "
                    + maxBatchTokens);
        }
        if (kvBudgetBytes < 1) {
            throw new IllegalArgumentException("Cannot configure engine: kvBudgetBytes must be positive, got "
                    + kvBudgetBytes);
        }
        if (blockSize < 1 || blockSize > 4096) {
            throw new IllegalArgumentException("Cannot configure engine: blockSize must be in [1, 4096], got " + blockSize);
        }
    }

    /**
     * The output cap {@code value} means: 0 is {@link EngineConfig#DEFAULT_MAX_OUTPUT_BYTES}.
     *
     * @throws IllegalArgumentException when it is below 4 bytes (one character of UTF-8)
     */
    public static long maxOutputBytes(long value) {
        long bytes = value == 0 ? EngineConfig.DEFAULT_MAX_OUTPUT_BYTES : value;
        if (bytes < 4) {
            throw new IllegalArgumentException("Cannot configure engine: maxOutputBytes must be at least 4 (one "
                    + "character), got " + bytes);
        }
        return bytes;
    }
}
