package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * MXFP4 (GGUF type 39, OCP Microscaling FP4, the format of gpt-oss's experts), as ggml lays it out
 * ({@code block_mxfp4}): 17 bytes per block of 32 values, {@code uint8 e; uint8 qs[16]}. {@code e} is
 * an E8M0 shared exponent (2^(e−127)); each nibble is an E2M1 code (sign, 2 exponent bits, 1 mantissa
 * bit: ±{0, 0.5, 1, 1.5, 2, 3, 4, 6}). The low nibble of {@code qs[j]} is value j, the high nibble value
 * j+16. As ggml does, codes are read as doubled integers {@link #KVALUES} times {@link #scale} 2^(e−128).
 * The scalar reference decoder and ggml's reference encoder ({@code quantize_row_mxfp4_ref}).
 */
final class Mxfp4 {

    static final int QK = 32;
    static final int BLOCK_BYTES = 17;
    /** The E2M1 codes doubled (ggml's {@code kvalues_mxfp4}): code c is KVALUES[c] / 2. */
    static final byte[] KVALUES = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

    private Mxfp4() {}

    /** 2^(e−128), the multiplier of the doubled codes (ggml's {@code GGML_E8M0_TO_FP32_HALF}). */
    static float scale(int e) {
        int u = e & 0xFF;
        return Float.intBitsToFloat(u < 2 ? 0x00200000 << u : (u - 1) << 23);
    }

    /** Decodes {@code blocks} consecutive blocks from {@code seg} at {@code base} to {@code out[at..]}. */
    static void decode(MemorySegment seg, long base, int blocks, float[] out, int at) {
        for (int b = 0; b < blocks; b++) {
            long blk = base + (long) BLOCK_BYTES * b;
            float d = scale(seg.get(ValueLayout.JAVA_BYTE, blk));
            for (int j = 0; j < QK / 2; j++) {
                int packed = seg.get(ValueLayout.JAVA_BYTE, blk + 1 + j) & 0xFF;
                out[at + QK * b + j] = KVALUES[packed & 0x0F] * d;
                out[at + QK * b + j + QK / 2] = KVALUES[packed >>> 4] * d;
            }
        }
    }

    /**
     * Encodes {@code blocks} blocks of 32 values from {@code x[from..]} at {@code dst[at..]}: e =
     * floor(log2(max|x|)) − 2 + 127 (0 for an all-zero block), each value the code nearest to it (the first
     * of equals), as ggml's reference quantizer.
     */
    static void encode(float[] x, int from, int blocks, MemorySegment dst, long at) {
        for (int b = 0; b < blocks; b++) {
            int i = from + QK * b;
            long blk = at + (long) BLOCK_BYTES * b;
            float amax = 0f;
            for (int j = 0; j < QK; j++) {
                amax = Math.max(amax, Math.abs(x[i + j]));
            }
            int e = amax > 0f ? (int) ((float) Math.floor(log2(amax)) - 2 + 127) & 0xFF : 0;
            float d = scale(e);
            dst.set(ValueLayout.JAVA_BYTE, blk, (byte) e);
            for (int j = 0; j < QK / 2; j++) {
                int lo = nearestCode(x[i + j], d);
                int hi = nearestCode(x[i + QK / 2 + j], d);
                dst.set(ValueLayout.JAVA_BYTE, blk + 1 + j, (byte) (lo | hi << 4));
            }
        }
    }

    /** log2 of a positive finite float, exact at powers of two (Math.log ratios are not). */
    private static double log2(float v) {
        int exponent = Math.getExponent(v);
        return exponent + Math.log(v / Math.scalb(1f, exponent)) / Math.log(2);
    }

    private static int nearestCode(float v, float d) {
        int best = 0;
        float bestErr = Math.abs(KVALUES[0] * d - v);
        for (int c = 1; c < 16; c++) {
            float err = Math.abs(KVALUES[c] * d - v);
            if (err < bestErr) {
                best = c;
                bestErr = err;
            }
        }
        return best;
    }
}
