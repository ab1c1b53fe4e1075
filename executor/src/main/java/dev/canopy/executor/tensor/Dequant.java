package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Scalar reference decoding of every type the kernels support, written from the GGML format
 * definitions. Slow but obviously right: the fast kernels are tested against it, and the forward
 * uses {@link #row} for embedding lookups.
 *
 * <ul>
 *   <li>F32: little-endian IEEE binary32.
 *   <li>F16: little-endian IEEE binary16.
 *   <li>BF16: the upper 16 bits of a binary32.
 *   <li>Q8_0: blocks of 32 values, 34 bytes: fp16 scale {@code d}, then 32 signed bytes {@code q};
 *       value {@code j} is {@code d * q[j]}.
 *   <li>Q4_0: blocks of 32 values, 18 bytes: fp16 scale {@code d}, then 16 bytes; the low nibble of
 *       byte {@code j} is value {@code j}, the high nibble is value {@code j + 16}; a value is
 *       {@code d * (nibble - 8)}.
 *   <li>Q4_1, Q5_0, Q5_1: see {@link LegacyQuants}.
 *   <li>Q4_K, Q5_K, Q6_K (super-blocks of 256): see {@link KQuants}.
 *   <li>MXFP4: see {@link Mxfp4}.
 * </ul>
 */
public final class Dequant {

    static final ValueLayout.OfShort SHORT_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat FLOAT_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Dequant() {}

    /**
     * Decodes a whole tensor.
     *
     * @return all {@code t.elementCount()} values, row after row
     * @throws IllegalArgumentException if the type is not supported or the tensor is too large for an array
     */
    public static float[] toFloats(Tensor t) {
        long n = t.elementCount();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Cannot decode " + t + ": " + n + " elements do not fit in an array");
        }
        float[] out = new float[(int) n]; // (rows, cols)
        int rows = t.rows();
        for (int r = 0; r < rows; r++) {
            row(t, r, out, r * t.cols());
        }
        return out;
    }

    /**
     * Decodes row {@code row} of a matrix into {@code out[outOffset .. outOffset + cols)}.
     *
     * @throws IllegalArgumentException if the type is not supported
     * @throws IndexOutOfBoundsException if the row or the output range is out of bounds
     */
    public static void row(Tensor t, int row, float[] out, int outOffset) {
        int cols = t.cols();
        if (row < 0 || row >= t.rows()) {
            throw new IndexOutOfBoundsException("Cannot decode row " + row + " of " + t + ": it has " + t.rows() + " rows");
        }
        java.util.Objects.checkFromIndexSize(outOffset, cols, out.length);
        MemorySegment seg = t.data();
        long base = row * t.rowBytes();
        switch (t.type()) {
            case F32 -> {
                for (int c = 0; c < cols; c++) {
                    out[outOffset + c] = seg.get(FLOAT_LE, base + 4L * c);
                }
            }
            case F16 -> {
                for (int c = 0; c < cols; c++) {
                    out[outOffset + c] = fp16ToFloat(seg.get(SHORT_LE, base + 2L * c));
                }
            }
            case BF16 -> {
                for (int c = 0; c < cols; c++) {
                    out[outOffset + c] = bf16ToFloat(seg.get(SHORT_LE, base + 2L * c));
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long blk = base + 34L * b;
                    float d = fp16ToFloat(seg.get(SHORT_LE, blk));
                    for (int j = 0; j < 32; j++) {
                        out[outOffset + 32 * b + j] = d * seg.get(ValueLayout.JAVA_BYTE, blk + 2 + j);
                    }
                }
            }
            case Q4_0 -> {
                for (int b = 0; b < cols / 32; b++) {
                    long blk = base + 18L * b;
                    float d = fp16ToFloat(seg.get(SHORT_LE, blk));
                    for (int j = 0; j < 16; j++) {
                        int packed = seg.get(ValueLayout.JAVA_BYTE, blk + 2 + j) & 0xFF;
                        out[outOffset + 32 * b + j] = d * ((packed & 0x0F) - 8);
                        out[outOffset + 32 * b + j + 16] = d * ((packed >>> 4) - 8);
                    }
                }
            }
            case Q4_1, Q5_0, Q5_1 -> LegacyQuants.decode(t.type(), seg, base, cols / 32, out, outOffset);
            case Q4_K, Q5_K, Q6_K -> KQuants.decode(t.type(), seg, base, cols / KQuants.QK_K, out, outOffset);
            case MXFP4 -> Mxfp4.decode(seg, base, cols / Mxfp4.QK, out, outOffset);
            default -> throw new IllegalArgumentException("Cannot decode " + t + ": type " + t.type()
                    + " is not supported (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, MXFP4)");
        }
    }

    /**
     * Decodes an IEEE binary16 value: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits;
     * exponent 0 is zero/subnormal, exponent 31 is infinity/NaN.
     */
    public static float fp16ToFloat(short h) {
        int bits = h & 0xFFFF;
        float sign = (bits >>> 15) == 0 ? 1f : -1f;
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        if (exponent == 0) {
            return sign * mantissa * 0x1p-24f; // subnormal: mantissa * 2^-14 / 2^10
        }
        if (exponent == 31) {
            if (mantissa == 0) {
                return sign * Float.POSITIVE_INFINITY;
            }
            // NaN: keep the payload in the top mantissa bits, as hardware conversions do
            return Float.intBitsToFloat((bits & 0x8000) << 16 | 0x7F800000 | mantissa << 13);
        }
        return sign * (1 + mantissa * 0x1p-10f) * Math.scalb(1f, exponent - 15);
    }

    /** Decodes a bfloat16 value: the upper half of a binary32. */
    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xFFFF) << 16);
    }
}
