package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Encodes floats as Q4_K, Q5_K and Q6_K super-blocks (layouts in {@link KQuants}) the way ggml's
 * reference quantizers do ({@code quantize_row_q4_K_ref}, {@code _q5_K_ref}, {@code _q6_K_ref}, used
 * by llama.cpp when no importance matrix is given): fit each sub-block's scale (and min) with
 * {@link QuantFit}, quantize those to 6 or 8 bits against one fp16 super-block scale, then requantize
 * every value against the quantized sub-block scale. One instance holds the scratch space; it is not
 * thread-safe.
 */
final class KQuantizer {

    private static final int QK = KQuants.QK_K;

    private final byte[] levels = new byte[QK]; // (QK) chosen level of each value
    private final byte[] aux = new byte[32]; // (32) scratch levels of one sub-block
    private final float[] weights = new float[32]; // (32) fitting weight of each value of a sub-block
    private final float[] scales = new float[16]; // (sub-blocks) fitted scale of each sub-block
    private final float[] mins = new float[8]; // (sub-blocks) fitted min of each sub-block

    /** Encodes {@code blocks} super-blocks from {@code x[from..]} as {@code type} at {@code dst[at..]}. */
    void encode(GgmlType type, float[] x, int from, int blocks, MemorySegment dst, long at) {
        for (int b = 0; b < blocks; b++) {
            long blk = at + (long) type.bytesPerBlock() * b;
            int i = from + QK * b;
            switch (type) {
                case Q4_K -> encodeWithMins(x, i, 15, -1f, 20, dst, blk);
                case Q5_K -> encodeWithMins(x, i, 31, -0.5f, 15, dst, blk);
                case Q6_K -> encodeQ6K(x, i, dst, blk);
                default -> throw new IllegalArgumentException("Cannot encode " + type + " as a K-quant format");
            }
        }
    }

    /** Q4_K (nmax 15) or Q5_K (nmax 31). */
    private void encodeWithMins(float[] x, int from, int nmax, float rmin, int nstep, MemorySegment dst, long blk) {
        float maxScale = 0f;
        float maxMin = 0f;
        for (int j = 0; j < 8; j++) {
            int sub = from + 32 * j;
            float sumX2 = 0f;
            for (int l = 0; l < 32; l++) {
                sumX2 += x[sub + l] * x[sub + l];
            }
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) {
                weights[l] = avX + Math.abs(x[sub + l]);
            }
            QuantFit.ScaleMin fit = QuantFit.scaleAndMin(32, nmax, x, sub, weights, levels, 32 * j, aux, rmin, 0.1f, nstep);
            scales[j] = fit.scale();
            mins[j] = fit.min();
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        byte[] packed = new byte[12]; // (12) the packed 6-bit scales and mins
        for (int j = 0; j < 8; j++) {
            int ls = Math.min(63, QuantFit.nearestInt(invScale * scales[j]) & 0xFF);
            int lm = Math.min(63, QuantFit.nearestInt(invMin * mins[j]) & 0xFF);
            if (j < 4) {
                packed[j] = (byte) ls;
                packed[j + 4] = (byte) lm;
            } else {
                packed[j + 4] = (byte) (ls & 0x0F | (lm & 0x0F) << 4);
                packed[j - 4] |= (byte) ((ls >>> 4) << 6);
                packed[j] |= (byte) ((lm >>> 4) << 6);
            }
        }
        short d = Float.floatToFloat16(maxScale / 63f);
        short dmin = Float.floatToFloat16(maxMin / 63f);
        dst.set(Dequant.SHORT_LE, blk, d);
        dst.set(Dequant.SHORT_LE, blk + 2, dmin);
        MemorySegment.copy(packed, 0, dst, ValueLayout.JAVA_BYTE, blk + KQuants.Q4K_SCALES, 12);
        MemorySegment scaleBytes = MemorySegment.ofArray(packed);
        for (int j = 0; j < 8; j++) {
            float dj = Float.float16ToFloat(d) * KQuants.scale(scaleBytes, 0, j);
            if (dj == 0f) {
                continue;
            }
            float dm = Float.float16ToFloat(dmin) * KQuants.min(scaleBytes, 0, j);
            for (int l = 0; l < 32; l++) {
                levels[32 * j + l] = (byte) QuantFit.clamp(QuantFit.nearestInt((x[from + 32 * j + l] + dm) / dj), 0, nmax);
            }
        }
        if (nmax == 15) {
            packQ4K(dst, blk);
        } else {
            packQ5K(dst, blk);
        }
    }

    private void packQ4K(MemorySegment dst, long blk) {
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int lo = levels[64 * c + l];
                int hi = levels[64 * c + 32 + l];
                dst.set(ValueLayout.JAVA_BYTE, blk + KQuants.Q4K_QS + 32 * c + l, (byte) (lo | hi << 4));
            }
        }
    }

    private void packQ5K(MemorySegment dst, long blk) {
        int[] qh = new int[32]; // (32) fifth bits, two per 64-value chunk
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int lo = levels[64 * c + l];
                int hi = levels[64 * c + 32 + l];
                qh[l] |= (lo >>> 4) << 2 * c | (hi >>> 4) << 2 * c + 1;
                dst.set(ValueLayout.JAVA_BYTE, blk + KQuants.Q5K_QS + 32 * c + l, (byte) (lo & 0x0F | (hi & 0x0F) << 4));
            }
        }
        for (int l = 0; l < 32; l++) {
            dst.set(ValueLayout.JAVA_BYTE, blk + KQuants.Q5K_QH + l, (byte) qh[l]);
        }
    }

    private void encodeQ6K(float[] x, int from, MemorySegment dst, long blk) {
        float maxScale = 0f;
        float maxAbsScale = 0f;
        for (int g = 0; g < 16; g++) {
            scales[g] = QuantFit.symmetricScale(16, 32, x, from + 16 * g, levels, 16 * g);
            if (Math.abs(scales[g]) > maxAbsScale) {
                maxAbsScale = Math.abs(scales[g]);
                maxScale = scales[g];
            }
        }
        if (maxAbsScale < QuantFit.GROUP_MAX_EPS) {
            dst.asSlice(blk, GgmlType.Q6_K.bytesPerBlock()).fill((byte) 0);
            return;
        }
        float iscale = -128f / maxScale;
        short d = Float.floatToFloat16(1 / iscale);
        dst.set(Dequant.SHORT_LE, blk + KQuants.Q6K_D, d);
        for (int g = 0; g < 16; g++) {
            int sc = Math.min(127, QuantFit.nearestInt(iscale * scales[g]));
            dst.set(ValueLayout.JAVA_BYTE, blk + KQuants.Q6K_SCALES + g, (byte) sc);
            float dg = Float.float16ToFloat(d) * (byte) sc;
            if (dg == 0f) {
                continue;
            }
            for (int l = 0; l < 16; l++) {
                int q = QuantFit.clamp(QuantFit.nearestInt(x[from + 16 * g + l] / dg), -32, 31);
                levels[16 * g + l] = (byte) (q + 32);
            }
        }
        packQ6K(dst, blk);
    }

    private void packQ6K(MemorySegment dst, long blk) {
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int base = 128 * h + l;
                int q1 = levels[base], q2 = levels[base + 32], q3 = levels[base + 64], q4 = levels[base + 96];
                long ql = blk + KQuants.Q6K_QL + 64 * h + l;
                dst.set(ValueLayout.JAVA_BYTE, ql, (byte) (q1 & 0x0F | (q3 & 0x0F) << 4));
                dst.set(ValueLayout.JAVA_BYTE, ql + 32, (byte) (q2 & 0x0F | (q4 & 0x0F) << 4));
                int qh = q1 >>> 4 | (q2 >>> 4) << 2 | (q3 >>> 4) << 4 | (q4 >>> 4) << 6;
                dst.set(ValueLayout.JAVA_BYTE, blk + KQuants.Q6K_QH + 32 * h + l, (byte) qh);
            }
        }
    }
}
