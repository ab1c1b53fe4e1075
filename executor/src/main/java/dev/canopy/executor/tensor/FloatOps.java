package dev.canopy.executor.tensor;

import static dev.canopy.executor.tensor.VectorLanes.F;

import jdk.incubator.vector.FloatVector;

/**
 * The small float kernels of a transformer forward, vectorized with the Vector API. Every result
 * depends only on the inputs (fixed summation order, {@link FastExp} for exponentials), never on JIT
 * state or array position, so re-running a pipeline reproduces it bit for bit.
 * {@link ScalarFloatOps} is the plain reference they are tested against.
 */
public final class FloatOps {

    private static final int L = F.length();

    private FloatOps() {}

    /** Σ a[aOff + i] * b[bOff + i] for i < n. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            acc = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc);
        }
        float sum = VectorLanes.sum(acc);
        for (; i < n; i++) {
            sum = Math.fma(a[aOff + i], b[bOff + i], sum);
        }
        return sum;
    }

    /**
     * Llama RMS norm: {@code out[i] = x[i] * (1 / sqrt(mean(x²) + eps)) * weight[i]} for i < n.
     * {@code out} may be {@code x}.
     */
    public static void rmsNorm(float[] out, int outOff, float[] x, int xOff, float[] weight, int n, float eps) {
        float scale = (float) (1.0 / Math.sqrt(dot(x, xOff, x, xOff, n) / n + eps));
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(F, x, xOff + i).mul(scale);
            v.mul(FloatVector.fromArray(F, weight, i)).intoArray(out, outOff + i);
        }
        for (; i < n; i++) {
            out[outOff + i] = x[xOff + i] * scale * weight[i];
        }
    }

    /** In place: {@code x[off + i] = exp(x[off + i] - max) / Σ exp(x - max)} for i < n. */
    public static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        FloatVector sums = FloatVector.zero(F);
        int i = 0;
        int bound = F.loopBound(n);
        for (; i < bound; i += L) {
            FloatVector e = FastExp.exp(FloatVector.fromArray(F, x, off + i).sub(max));
            e.intoArray(x, off + i);
            sums = sums.add(e);
        }
        float sum = VectorLanes.sum(sums);
        for (; i < n; i++) {
            x[off + i] = FastExp.exp(x[off + i] - max);
            sum += x[off + i];
        }
        scale(x, off, n, 1f / sum);
    }

    /** In place: {@code gate[off + i] = silu(gate[off + i]) * up[upOff + i]}, silu(g) = g / (1 + e^-g). */
    public static void siluMul(float[] gate, int off, float[] up, int upOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector g = FloatVector.fromArray(F, gate, off + i);
            FloatVector silu = g.div(FastExp.exp(g.neg()).add(1f));
            silu.mul(FloatVector.fromArray(F, up, upOff + i)).intoArray(gate, off + i);
        }
        for (; i < n; i++) {
            float g = gate[off + i];
            gate[off + i] = g / (FastExp.exp(-g) + 1f) * up[upOff + i];
        }
    }

    /** {@code dst[off + i] += src[srcOff + i]} for i < n. */
    public static void add(float[] dst, int off, float[] src, int srcOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, dst, off + i).add(FloatVector.fromArray(F, src, srcOff + i)).intoArray(dst, off + i);
        }
        for (; i < n; i++) {
            dst[off + i] += src[srcOff + i];
        }
    }

    /** {@code y[yOff + i] += a * x[xOff + i]} for i < n (one rounding: a fused multiply-add). */
    public static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, xOff + i).fma(FloatVector.broadcast(F, a), FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = Math.fma(a, x[xOff + i], y[yOff + i]);
        }
    }

    /** {@code x[off + i] *= factor} for i < n. */
    public static void scale(float[] x, int off, int n, float factor) {
        int i = 0;
        for (int bound = F.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(F, x, off + i).mul(factor).intoArray(x, off + i);
        }
        for (; i < n; i++) {
            x[off + i] *= factor;
        }
    }
}
