package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The K-quant formats: super-blocks of 256 values, as ggml lays them out (little-endian, fp16
 * scales), and their scalar reference decoder, written from ggml's {@code dequantize_row_q*_K}.
 *
 * <ul>
 *   <li>Q4_K, 144 bytes: {@code half d; half dmin; uint8 scales[12]; uint8 qs[128]}. Eight
 *       sub-blocks of 32 values, each with a 6-bit scale {@code sc} and 6-bit min {@code m} packed in
 *       {@code scales} ({@link #scale}, {@link #min}: ggml's {@code get_scale_min_k4}). Byte l of the
 *       32-byte chunk c holds value {@code 64c + l} in its low nibble and {@code 64c + 32 + l} in its
 *       high nibble. A value of sub-block j is {@code (d·sc_j)·q − dmin·m_j}.
 *   <li>Q5_K, 176 bytes: {@code half d; half dmin; uint8 scales[12]; uint8 qh[32]; uint8 qs[128]}.
 *       As Q4_K with a fifth bit: bit {@code 2c} of {@code qh[l]} is the fifth bit of value
 *       {@code 64c + l}, bit {@code 2c + 1} that of value {@code 64c + 32 + l}.
 *   <li>Q6_K, 210 bytes: {@code uint8 ql[128]; uint8 qh[64]; int8 scales[16]; half d}. Sixteen
 *       sub-blocks of 16 values with signed 8-bit scales. In half h (values 128h..128h+127), for
 *       l &lt; 32, value {@code 128h + l + 32k} (k = 0..3) takes its low 4 bits from
 *       {@code ql[64h + l + 32(k & 1)]} (low nibble for k &lt; 2, high nibble otherwise) and its top 2
 *       bits from bits {@code 2k, 2k+1} of {@code qh[32h + l]}; the value is
 *       {@code (d·sc)·(q − 32)} with {@code sc = scales[8h + l/16 + 2k]}.
 * </ul>
 */
final class KQuants {

    static final int QK_K = 256;

    /** Byte offsets inside a Q4_K / Q5_K super-block. */
    static final int Q4K_SCALES = 4, Q4K_QS = 16;
    static final int Q5K_SCALES = 4, Q5K_QH = 16, Q5K_QS = 48;
    /** Byte offsets inside a Q6_K super-block. */
    static final int Q6K_QL = 0, Q6K_QH = 128, Q6K_SCALES = 192, Q6K_D = 208;

    private KQuants() {}

    /** The 6-bit scale of sub-block {@code j} (0..7) from the 12 packed bytes at {@code scales}. */
    static int scale(MemorySegment seg, long scales, int j) {
        if (j < 4) {
            return u8(seg, scales + j) & 63;
        }
        return u8(seg, scales + j + 4) & 0x0F | (u8(seg, scales + j - 4) >>> 6) << 4;
    }

    /** The 6-bit min of sub-block {@code j} (0..7) from the 12 packed bytes at {@code scales}. */
    static int min(MemorySegment seg, long scales, int j) {
        if (j < 4) {
            return u8(seg, scales + j + 4) & 63;
        }
        return u8(seg, scales + j + 4) >>> 4 | (u8(seg, scales + j) >>> 6) << 4;
    }

    /** Decodes {@code blocks} consecutive super-blocks of {@code type} from {@code seg} at {@code base}. */
    static void decode(GgmlType type, MemorySegment seg, long base, int blocks, float[] out, int at) {
        for (int b = 0; b < blocks; b++) {
            long blk = base + (long) type.bytesPerBlock() * b;
            int o = at + QK_K * b;
            switch (type) {
                case Q4_K -> decodeQ4K(seg, blk, out, o);
                case Q5_K -> decodeQ5K(seg, blk, out, o);
                case Q6_K -> decodeQ6K(seg, blk, out, o);
                default -> throw new IllegalArgumentException("Cannot decode " + type + " as a K-quant format");
            }
        }
    }

    private static void decodeQ4K(MemorySegment seg, long blk, float[] out, int o) {
        float d = Dequant.fp16ToFloat(seg.get(Dequant.SHORT_LE, blk));
        float dmin = Dequant.fp16ToFloat(seg.get(Dequant.SHORT_LE, blk + 2));
        for (int c = 0; c < 4; c++) {
            float d1 = d * scale(seg, blk + Q4K_SCALES, 2 * c);
            float m1 = dmin * min(seg, blk + Q4K_SCALES, 2 * c);
            float d2 = d * scale(seg, blk + Q4K_SCALES, 2 * c + 1);
            float m2 = dmin * min(seg, blk + Q4K_SCALES, 2 * c + 1);
            for (int l = 0; l < 32; l++) {
                int q = u8(seg, blk + Q4K_QS + 32 * c + l);
                out[o + 64 * c + l] = d1 * (q & 0x0F) - m1;
                out[o + 64 * c + 32 + l] = d2 * (q >>> 4) - m2;
            }
        }
    }

    private static void decodeQ5K(MemorySegment seg, long blk, float[] out, int o) {
        float d = Dequant.fp16ToFloat(seg.get(Dequant.SHORT_LE, blk));
        float dmin = Dequant.fp16ToFloat(seg.get(Dequant.SHORT_LE, blk + 2));
        for (int c = 0; c < 4; c++) {
            float d1 = d * scale(seg, blk + Q5K_SCALES, 2 * c);
            float m1 = dmin * min(seg, blk + Q5K_SCALES, 2 * c);
            float d2 = d * scale(seg, blk + Q5K_SCALES, 2 * c + 1);
            float m2 = dmin * min(seg, blk + Q5K_SCALES, 2 * c + 1);
            for (int l = 0; l < 32; l++) {
                int q = u8(seg, blk + Q5K_QS + 32 * c + l);
                int h = u8(seg, blk + Q5K_QH + l);
                out[o + 64 * c + l] = d1 * ((q & 0x0F) + ((h >>> 2 * c & 1) << 4)) - m1;
                out[o + 64 * c + 32 + l] = d2 * ((q >>> 4) + ((h >>> 2 * c + 1 & 1) << 4)) - m2;
            }
        }
    }

    private static void decodeQ6K(MemorySegment seg, long blk, float[] out, int o) {
        float d = Dequant.fp16ToFloat(seg.get(Dequant.SHORT_LE, blk + Q6K_D));
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int qh = u8(seg, blk + Q6K_QH + 32 * h + l);
                for (int k = 0; k < 4; k++) {
                    int ql = u8(seg, blk + Q6K_QL + 64 * h + l + 32 * (k & 1));
                    int low = k < 2 ? ql & 0x0F : ql >>> 4;
                    int q = (low | (qh >>> 2 * k & 3) << 4) - 32;
                    int sc = seg.get(ValueLayout.JAVA_BYTE, blk + Q6K_SCALES + 8 * h + l / 16 + 2 * k);
                    out[o + 128 * h + 32 * k + l] = d * sc * q;
                }
            }
        }
    }

    private static int u8(MemorySegment seg, long at) {
        return seg.get(ValueLayout.JAVA_BYTE, at) & 0xFF;
    }
}
