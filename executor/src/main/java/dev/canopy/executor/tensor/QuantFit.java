package dev.canopy.executor.tensor;

/**
 * The searches ggml's K-quant reference quantizers use to pick a sub-block's scale (and min), ported
 * operation for operation in float arithmetic so that the chosen levels match ggml's:
 * {@code nearest_int}, {@code make_qx_quants} (symmetric, Q6_K) and {@code make_qkx2_quants}
 * (scale and min, Q4_K/Q5_K).
 */
final class QuantFit {

    /** Below this magnitude a group counts as all zeros ({@code GROUP_MAX_EPS}). */
    static final float GROUP_MAX_EPS = 1e-15f;

    private QuantFit() {}

    /**
     * ggml's {@code nearest_int}: round to nearest, ties to even, by adding 1.5·2^23 (valid for
     * |v| ≤ 4194303).
     */
    static int nearestInt(float v) {
        int bits = Float.floatToRawIntBits(v + 12582912f);
        return (bits & 0x007fffff) - 0x00400000;
    }

    /**
     * A symmetric scale for {@code n} values of {@code x[from..]} with levels −nmax..nmax−1, weighting
     * each value by x² and trying 18 scales around −nmax/max ({@code make_qx_quants} with
     * {@code rmse_type = 1} and no importance weights). Writes the levels plus {@code nmax} to
     * {@code levels[at..]}.
     *
     * @return the scale (0 for an all-zero group)
     */
    static float symmetricScale(int n, int nmax, float[] x, int from, byte[] levels, int at) {
        float max = 0f;
        float amax = 0f;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[from + i]);
            if (ax > amax) {
                amax = ax;
                max = x[from + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            java.util.Arrays.fill(levels, at, at + n, (byte) 0);
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0f;
        float suml2 = 0f;
        for (int i = 0; i < n; i++) {
            int l = clamp(nearestInt(iscale * x[from + i]), -nmax, nmax - 1);
            levels[at + i] = (byte) (l + nmax);
            float w = x[from + i] * x[from + i];
            sumlx += w * x[from + i] * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0f ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0f;
            suml2 = 0f;
            for (int i = 0; i < n; i++) {
                int l = clamp(nearestInt(iscale * x[from + i]), -nmax, nmax - 1);
                float w = x[from + i] * x[from + i];
                sumlx += w * x[from + i] * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    levels[at + i] = (byte) (nmax + clamp(nearestInt(iscale * x[from + i]), -nmax, nmax - 1));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /** The scale and min {@link #scaleAndMin} chose. */
    record ScaleMin(float scale, float min) {}

    /**
     * A scale and min for {@code n} values of {@code x[from..]} with levels 0..nmax, so that
     * {@code x ≈ scale·l − min}: starts from (max − min)/nmax, then tries {@code nstep + 1} scales
     * {@code (rmin + rdelta·is + nmax)/(max − min)}, refitting scale and min by weighted least squares
     * and keeping the lowest weighted squared error ({@code make_qkx2_quants} with
     * {@code use_mad = false}). The min is never above 0 (returned negated, so never negative). Writes
     * the levels to {@code levels[at..]}; {@code aux} is scratch of n bytes.
     */
    static ScaleMin scaleAndMin(int n, int nmax, float[] x, int from, float[] weights, byte[] levels, int at,
            byte[] aux, float rmin, float rdelta, int nstep) {
        if (nstep < 1) {
            throw new IllegalArgumentException("Cannot fit a scale and min: nstep " + nstep + " must be at least 1");
        }
        float min = x[from];
        float max = x[from];
        float sumW = weights[0];
        float sumX = sumW * x[from];
        for (int i = 1; i < n; i++) {
            float v = x[from + i];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
            sumW += weights[i];
            sumX += weights[i] * v;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            java.util.Arrays.fill(levels, at, at + n, (byte) 0);
            return new ScaleMin(0f, -min);
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0f;
        for (int i = 0; i < n; i++) {
            int l = clamp(nearestInt(iscale * (x[from + i] - min)), 0, nmax);
            levels[at + i] = (byte) l;
            float diff = scale * l + min - x[from + i];
            bestError += weights[i] * (diff * diff);
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0f;
            float sumL2 = 0f;
            float sumXL = 0f;
            for (int i = 0; i < n; i++) {
                int l = clamp(nearestInt(iscale * (x[from + i] - min)), 0, nmax);
                aux[i] = (byte) l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[from + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = 0f;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * aux[i] + thisMin - x[from + i];
                    error += weights[i] * (diff * diff);
                }
                if (error < bestError) {
                    System.arraycopy(aux, 0, levels, at, n);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        return new ScaleMin(scale, -min);
    }

    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }
}
