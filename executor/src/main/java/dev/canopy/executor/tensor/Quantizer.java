package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;

/**
 * Encodes floats as GGML tensor bytes, bit for bit as llama.cpp's reference quantizers do
 * ({@code quantize_row_q8_0_ref}, {@code quantize_row_q4_0_ref}, {@code ggml_fp32_to_fp16},
 * {@code ggml_compute_fp32_to_bf16}), so files written with it match files llama.cpp writes.
 *
 * <p>Block formats (little-endian): Q8_0 is an fp16 scale {@code d} then 32 signed bytes {@code q},
 * value = d·q. Q4_0 is an fp16 scale {@code d} then 16 bytes whose low nibble holds element j and
 * high nibble element j+16, value = d·(nibble − 8). Q4_1/Q5_0/Q5_1 are encoded by {@link LegacyQuants},
 * Q4_K/Q5_K/Q6_K by {@link KQuantizer} (ggml's reference quantizers, used without an importance matrix),
 * MXFP4 by {@link Mxfp4}.
 */
public final class Quantizer {

    /** The types this class can encode. */
    public static final Set<GgmlType> TYPES = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
            GgmlType.MXFP4);

    private static final ValueLayout.OfShort LE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int QK = 32;

    private Quantizer() {}

    /** Encodes all of {@code values} as {@code type}; their count must be a multiple of the block size. */
    public static byte[] quantize(GgmlType type, float[] values) {
        byte[] out = new byte[Math.toIntExact(checkedByteSize(type, values.length))];
        quantize(type, values, 0, values.length, MemorySegment.ofArray(out), 0);
        return out;
    }

    /**
     * Encodes {@code count} values of {@code src} from {@code srcOffset} as {@code type}, writing
     * {@code type.byteSize(count)} bytes to {@code dst} at {@code dstOffset}.
     *
     * @throws IllegalArgumentException if the type is not in {@link #TYPES} or {@code count} is not a
     *     multiple of its block size
     */
    public static void quantize(GgmlType type, float[] src, int srcOffset, int count, MemorySegment dst, long dstOffset) {
        checkedByteSize(type, count);
        switch (type) {
            case F32 -> {
                for (int i = 0; i < count; i++) {
                    dst.set(LE_FLOAT, dstOffset + 4L * i, src[srcOffset + i]);
                }
            }
            case F16 -> {
                for (int i = 0; i < count; i++) {
                    dst.set(LE_SHORT, dstOffset + 2L * i, Float.floatToFloat16(src[srcOffset + i]));
                }
            }
            case BF16 -> {
                for (int i = 0; i < count; i++) {
                    dst.set(LE_SHORT, dstOffset + 2L * i, toBf16(src[srcOffset + i]));
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < count / QK; b++) {
                    q8_0Block(src, srcOffset + b * QK, dst, dstOffset + (long) b * GgmlType.Q8_0.bytesPerBlock());
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < count / QK; b++) {
                    q4_0Block(src, srcOffset + b * QK, dst, dstOffset + (long) b * GgmlType.Q4_0.bytesPerBlock());
                }
            }
            case Q4_1, Q5_0, Q5_1 -> LegacyQuants.encode(type, src, srcOffset, count / QK, dst, dstOffset);
            case Q4_K, Q5_K, Q6_K -> new KQuantizer().encode(type, src, srcOffset, count / KQuants.QK_K, dst, dstOffset);
            case MXFP4 -> Mxfp4.encode(src, srcOffset, count / QK, dst, dstOffset);
            default -> throw new IllegalStateException("unreachable: " + type);
        }
    }

    /** bfloat16 bits of {@code f}: the top 16 bits rounded to nearest even; NaN stays a (quiet) NaN. */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 64);
        }
        return (short) ((bits + (0x7fff + ((bits >>> 16) & 1))) >>> 16);
    }

    /** d = amax / 127; q = round-half-away-from-zero(x / d). */
    private static void q8_0Block(float[] x, int from, MemorySegment dst, long at) {
        float amax = 0f;
        for (int j = 0; j < QK; j++) {
            amax = Math.max(amax, Math.abs(x[from + j]));
        }
        float d = amax / 127f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(LE_SHORT, at, Float.floatToFloat16(d));
        for (int j = 0; j < QK; j++) {
            dst.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) roundHalfAwayFromZero(x[from + j] * id));
        }
    }

    /** The value of largest magnitude among {@code x[from, from + n)}, with its sign (the first one on ties). */
    static float signedAbsMax(float[] x, int from, int n) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < n; j++) {
            float v = x[from + j];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    /** d = (the value of largest magnitude, with its sign) / −8; q = min(15, trunc(x / d + 8.5)). */
    private static void q4_0Block(float[] x, int from, MemorySegment dst, long at) {
        float max = signedAbsMax(x, from, QK);
        float d = max / -8f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(LE_SHORT, at, Float.floatToFloat16(d));
        for (int j = 0; j < QK / 2; j++) {
            int lo = Math.min(15, (byte) (int) (x[from + j] * id + 8.5f));
            int hi = Math.min(15, (byte) (int) (x[from + QK / 2 + j] * id + 8.5f));
            dst.set(ValueLayout.JAVA_BYTE, at + 2 + j, (byte) (lo | (hi << 4)));
        }
    }

    /** C's {@code roundf}: halves go away from zero (Math.round would send -2.5 to -2). */
    private static int roundHalfAwayFromZero(float v) {
        double magnitude = Math.floor(Math.abs((double) v) + 0.5);
        return (int) Math.copySign(magnitude, v);
    }

    private static long checkedByteSize(GgmlType type, long count) {
        if (!TYPES.contains(type)) {
            throw new IllegalArgumentException("Cannot quantize to " + type + ": supported types are " + TYPES);
        }
        if (count < 0 || count % type.blockSize() != 0) {
            throw new IllegalArgumentException("Cannot quantize " + count + " values to " + type
                    + ": not a multiple of its block size " + type.blockSize());
        }
        return type.byteSize(count);
    }
}
