package dev.canopy.executor.tensor;

/**
 * Plain-loop reference versions of {@link FloatOps}, with double accumulation and {@link Math#exp}:
 * the definitions the vector kernels are tested against. Not used on the hot path.
 */
public final class ScalarFloatOps {

    private ScalarFloatOps() {}

    /** Σ a[aOff + i] * b[bOff + i], accumulated in double. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += (double) a[aOff + i] * b[bOff + i];
        }
        return (float) sum;
    }

    /** {@code out[i] = x[i] / sqrt(mean(x²) + eps) * weight[i]}. */
    public static void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            ss += (double) x[xOff + i] * x[xOff + i];
        }
        double scale = 1.0 / Math.sqrt(ss / n + eps);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) (x[xOff + i] * scale * weight[i]);
        }
    }

    /** In place, max-subtracted softmax. */
    public static void softmax(float[] x, int off, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        double sum = 0;
        double[] e = new double[n];
        for (int i = 0; i < n; i++) {
            e[i] = Math.exp(x[off + i] - max);
            sum += e[i];
        }
        for (int i = 0; i < n; i++) {
            x[off + i] = (float) (e[i] / sum);
        }
    }

    /** In place: {@code gate = gate / (1 + e^-gate) * up}. */
    public static void siluMul(float[] gate, int off, float[] up, int upOff, int n) {
        for (int i = 0; i < n; i++) {
            double g = gate[off + i];
            gate[off + i] = (float) (g / (1 + Math.exp(-g)) * up[upOff + i]);
        }
    }

    /** {@code dst += src}. */
    public static void add(float[] dst, int off, float[] src, int srcOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[off + i] += src[srcOff + i];
        }
    }

    /** {@code y += a * x}. */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (y[yOff + i] + (double) a * x[xOff + i]);
        }
    }

    /** {@code x *= factor}. */
    public static void scale(float[] x, int off, int n, float factor) {
        for (int i = 0; i < n; i++) {
            x[off + i] *= factor;
        }
    }
}
