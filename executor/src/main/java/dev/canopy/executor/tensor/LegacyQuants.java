package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The 32-value formats with an offset or a fifth bit, as ggml lays them out ({@code block_q4_1},
 * {@code block_q5_0}, {@code block_q5_1}; little-endian, fp16 scales): the scalar reference decoder
 * and the reference encoder ({@code quantize_row_q4_1_ref}, {@code _q5_0_ref}, {@code _q5_1_ref}).
 *
 * <ul>
 *   <li>Q4_1, 20 bytes: {@code half d; half m; uint8 qs[16]}. The low nibble of {@code qs[j]} is
 *       value j, the high nibble value j+16; a value is {@code q·d + m}.
 *   <li>Q5_0, 22 bytes: {@code half d; uint8 qh[4]; uint8 qs[16]}. Nibbles as Q4_1; bit j of the
 *       little-endian 32-bit {@code qh} is the fifth bit of value j; a value is {@code (q − 16)·d}.
 *   <li>Q5_1, 24 bytes: {@code half d; half m; uint8 qh[4]; uint8 qs[16]}; a value is {@code q·d + m}.
 * </ul>
 */
final class LegacyQuants {

    static final int QK = 32;
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LegacyQuants() {}

    /** Decodes {@code blocks} consecutive blocks of {@code type} from {@code seg} at {@code base}. */
    static void decode(GgmlType type, MemorySegment seg, long base, int blocks, float[] out, int at) {
        int size = type.bytesPerBlock();
        for (int b = 0; b < blocks; b++) {
            long blk = base + (long) size * b;
            int o = at + QK * b;
            float d = Dequant.fp16ToFloat(seg.get(Dequant.SHORT_LE, blk));
            switch (type) {
                case Q4_1 -> {
                    float m = Dequant.fp16ToFloat(seg.get(Dequant.SHORT_LE, blk + 2));
                    for (int j = 0; j < 16; j++) {
                        int packed = seg.get(ValueLayout.JAVA_BYTE, blk + 4 + j) & 0xFF;
                        out[o + j] = (packed & 0x0F) * d + m;
                        out[o + j + 16] = (packed >>> 4) * d + m;
                    }
                }
                case Q5_0 -> {
                    int qh = seg.get(INT_LE, blk + 2);
                    for (int j = 0; j < 16; j++) {
                        int packed = seg.get(ValueLayout.JAVA_BYTE, blk + 6 + j) & 0xFF;
                        out[o + j] = ((packed & 0x0F | fifthBit(qh, j)) - 16) * d;
                        out[o + j + 16] = ((packed >>> 4 | fifthBit(qh, j + 16)) - 16) * d;
                    }
                }
                case Q5_1 -> {
                    float m = Dequant.fp16ToFloat(seg.get(Dequant.SHORT_LE, blk + 2));
                    int qh = seg.get(INT_LE, blk + 4);
                    for (int j = 0; j < 16; j++) {
                        int packed = seg.get(ValueLayout.JAVA_BYTE, blk + 8 + j) & 0xFF;
                        out[o + j] = (packed & 0x0F | fifthBit(qh, j)) * d + m;
                        out[o + j + 16] = (packed >>> 4 | fifthBit(qh, j + 16)) * d + m;
                    }
                }
                default -> throw new IllegalArgumentException("Cannot decode " + type + " as a legacy quant format");
            }
        }
    }

    /** Bit {@code j} of {@code qh}, moved to bit 4 (value 16). */
    private static int fifthBit(int qh, int j) {
        return (qh >>> j & 1) << 4;
    }

    /** Encodes {@code blocks} blocks of 32 values from {@code x[from..]} as {@code type} at {@code dst[at..]}. */
    static void encode(GgmlType type, float[] x, int from, int blocks, MemorySegment dst, long at) {
        for (int b = 0; b < blocks; b++) {
            long blk = at + (long) type.bytesPerBlock() * b;
            int i = from + QK * b;
            switch (type) {
                case Q4_1 -> encodeWithMin(x, i, 4, dst, blk);
                case Q5_0 -> encodeQ5_0(x, i, dst, blk);
                case Q5_1 -> encodeWithMin(x, i, 5, dst, blk);
                default -> throw new IllegalArgumentException("Cannot encode " + type + " as a legacy quant format");
            }
        }
    }

    /** Q4_1 / Q5_1: d = (max − min) / (2^bits − 1), m = min, q = trunc((x − min) / d + 0.5). */
    private static void encodeWithMin(float[] x, int from, int bits, MemorySegment dst, long blk) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < QK; j++) {
            min = Math.min(min, x[from + j]);
            max = Math.max(max, x[from + j]);
        }
        float d = (max - min) / ((1 << bits) - 1);
        float id = d != 0f ? 1f / d : 0f;
        dst.set(Dequant.SHORT_LE, blk, Float.floatToFloat16(d));
        dst.set(Dequant.SHORT_LE, blk + 2, Float.floatToFloat16(min));
        int qh = 0;
        long qs = bits == 4 ? blk + 4 : blk + 8;
        for (int j = 0; j < QK / 2; j++) {
            int q0 = Math.min((1 << bits) - 1, (int) ((x[from + j] - min) * id + 0.5f) & 0xFF);
            int q1 = Math.min((1 << bits) - 1, (int) ((x[from + QK / 2 + j] - min) * id + 0.5f) & 0xFF);
            dst.set(ValueLayout.JAVA_BYTE, qs + j, (byte) (q0 & 0x0F | (q1 & 0x0F) << 4));
            qh |= (q0 >>> 4 & 1) << j | (q1 >>> 4 & 1) << (j + QK / 2);
        }
        if (bits == 5) {
            dst.set(INT_LE, blk + 4, qh);
        }
    }

    /** Q5_0: d = (the value of largest magnitude, with its sign) / −16; q = min(31, trunc(x / d + 16.5)). */
    private static void encodeQ5_0(float[] x, int from, MemorySegment dst, long blk) {
        float max = Quantizer.signedAbsMax(x, from, QK);
        float d = max / -16f;
        float id = d != 0f ? 1f / d : 0f;
        dst.set(Dequant.SHORT_LE, blk, Float.floatToFloat16(d));
        int qh = 0;
        for (int j = 0; j < QK / 2; j++) {
            int q0 = Math.min(31, (byte) (int) (x[from + j] * id + 16.5f));
            int q1 = Math.min(31, (byte) (int) (x[from + QK / 2 + j] * id + 16.5f));
            dst.set(ValueLayout.JAVA_BYTE, blk + 6 + j, (byte) (q0 & 0x0F | (q1 & 0x0F) << 4));
            qh |= (q0 >>> 4 & 1) << j | (q1 >>> 4 & 1) << (j + QK / 2);
        }
        dst.set(INT_LE, blk + 2, qh);
    }
}
