package dev.canopy.executor.kv;

import java.util.Locale;

/**
 * How the CPU backend stores keys and values, chosen per job.
 *
 * <ul>
 *   <li>{@link #F32}: full precision (the default; results are those of an unquantized cache).</li>
 *   <li>{@link #Q8}: 8-bit, symmetric; per token, one float scale per group of {@value #GROUP} channels, for keys
 *       and values alike. Quantized as each token is written.</li>
 *   <li>{@link #Q4}: 4-bit in the KIVI manner, asymmetric (scale and minimum, as F16): keys per channel over the
 *       tokens of a block, values per token per group of {@value #GROUP} channels. The block being filled stays in
 *       full precision and is quantized when its last slot is written (keys need the whole block for their
 *       per-channel range).</li>
 * </ul>
 *
 * <p>The KV budget buys blocks at their quantized size ({@link #blockBytes}). The full-precision copies of
 * {@code Q4} blocks being filled (one per running sequence) are held beside the budget.
 */
public enum KvCacheType {
    F32,
    Q8,
    Q4;

    /** Channels sharing one scale (Q8, and Q4 values), per token. */
    public static final int GROUP = 32;

    /** The name used in flags and config files: {@code f32}, {@code q8} or {@code q4}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The type named {@code text} ({@code f32}, {@code q8} or {@code q4}, any case).
     *
     * @throws IllegalArgumentException naming the text and the choices
     */
    public static KvCacheType parse(String text) {
        for (KvCacheType t : values()) {
            if (t.label().equalsIgnoreCase(text == null ? "" : text.strip())) {
                return t;
            }
        }
        throw new IllegalArgumentException("Cannot parse KV cache type '" + text + "': expected f32, q8 or q4");
    }

    /** Scale groups in one token row of {@code kvDim} channels. */
    public static int groups(int kvDim) {
        return (kvDim + GROUP - 1) / GROUP;
    }

    /** Bytes of one layer's keys and values of one block of {@code blockSize} tokens. */
    public long layerBlockBytes(int kvDim, int blockSize) {
        long elements = (long) blockSize * kvDim;
        long scalesPerToken = groups(kvDim);
        return switch (this) {
            case F32 -> 2 * elements * Float.BYTES;
            case Q8 -> 2 * (elements + blockSize * scalesPerToken * Float.BYTES);
            // codes: two nibbles a byte; keys: F16 scale and min per channel; values: F16 scale and min per group
            case Q4 -> 2 * ((elements + 1) / 2) + 2L * kvDim * Short.BYTES + 2L * blockSize * scalesPerToken * Short.BYTES;
        };
    }

    /** Bytes of one block of {@code blockSize} tokens of {@code config}'s KV cache, all layers, keys and values. */
    public long blockBytes(KvShape config, int blockSize) {
        return config.layers() * layerBlockBytes(config.kvDim(), blockSize);
    }

    /** Bytes one token takes in blocks of {@code blockSize} (rounded up), all layers, keys and values. */
    public long bytesPerToken(KvShape config, int blockSize) {
        long block = blockBytes(config, blockSize);
        return (block + blockSize - 1) / blockSize;
    }
}
