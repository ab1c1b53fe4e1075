package dev.canopy.executor.gguf;

/**
 * A GGUF metadata array. {@code values} is a primitive array matching the element type:
 * {@code byte[]} for (U)INT8, {@code short[]} for (U)INT16, {@code int[]} for (U)INT32,
 * {@code long[]} for (U)INT64, {@code float[]}, {@code double[]}, {@code boolean[]},
 * {@code String[]}, or {@code GgufArray[]} for nested arrays. Unsigned values keep their bits;
 * read them through {@link GgufMetadata}'s getters, which widen them correctly.
 */
public record GgufArray(GgufValueType elementType, Object values) {

    /** Number of elements. */
    public int length() {
        return java.lang.reflect.Array.getLength(values);
    }
}
