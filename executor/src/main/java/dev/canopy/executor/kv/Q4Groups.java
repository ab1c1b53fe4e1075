package dev.canopy.executor.kv;

/**
 * 4-bit asymmetric quantization ({@link KvCacheType#Q4}, as in KIVI): a group of elements gets a minimum and a
 * scale {@code (max - min) / 15}, both stored as F16, and each element the code
 * {@code round((x - min) / scale)} in 0..15. Codes are nibbles, two a byte, addressed by nibble index
 * (even: low nibble). A group is any strided run of elements: a channel over a block's tokens (keys) or a run
 * of channels of one token (values).
 */
final class Q4Groups {

    private static final float F16_MAX = 65504f;

    private Q4Groups() {}

    /**
     * Quantizes {@code count} elements {@code x[xOff + i * xStride]} as one group.
     *
     * @param codes  out: code of element i at nibble {@code codeAt + i * codeStride}
     * @param scales out: F16 scale at {@code param}
     * @param mins   out: F16 minimum at {@code param}
     */
    static void quantize(float[] x, int xOff, int xStride, int count, byte[] codes, long codeAt, int codeStride,
                         short[] scales, short[] mins, int param) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            float v = x[xOff + i * xStride];
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        short minBits = Float.floatToFloat16(clampF16(min));
        float minF = Float.float16ToFloat(minBits);
        short scaleBits = Float.floatToFloat16(clampF16((max - minF) / 15f));
        scales[param] = scaleBits;
        mins[param] = minBits;
        float inv = inverse(Float.float16ToFloat(scaleBits));
        for (int i = 0; i < count; i++) {
            put(codes, codeAt + (long) i * codeStride, x[xOff + i * xStride], inv, minF);
        }
    }

    /** Stores the code of {@code x} under an existing scale and minimum (F16 bits) at nibble {@code at}, clamped. */
    static void encode(float x, byte[] codes, long at, short scaleBits, short minBits) {
        put(codes, at, x, inverse(Float.float16ToFloat(scaleBits)), Float.float16ToFloat(minBits));
    }

    private static float inverse(float scale) {
        return scale == 0f ? 0f : 1f / scale;
    }

    private static void put(byte[] codes, long at, float x, float inverseScale, float min) {
        int code = Math.clamp(Math.round((x - min) * inverseScale), 0, 15);
        int b = (int) (at >>> 1);
        if ((at & 1) == 0) {
            codes[b] = (byte) ((codes[b] & 0xF0) | code);
        } else {
            codes[b] = (byte) ((codes[b] & 0x0F) | (code << 4));
        }
    }

    /** The code at nibble {@code at}, 0..15. */
    static int code(byte[] codes, long at) {
        int b = codes[(int) (at >>> 1)];
        return (at & 1) == 0 ? b & 0x0F : (b >>> 4) & 0x0F;
    }

    private static float clampF16(float v) {
        return Math.clamp(v, -F16_MAX, F16_MAX);
    }
}
