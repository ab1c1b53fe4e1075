package dev.canopy.executor.model;

import dev.canopy.executor.tensor.Dequant;

/**
 * A deliberately plain transformer forward, one token at a time with nested loops in double
 * precision, written from the architecture's definition: the yardstick for {@link Transformer}.
 */
final class ReferenceForward {

    private final ModelConfig c;
    private final ModelWeights w;
    private final float[][][] keys;   // (layer, position, kvDim)
    private final float[][][] values; // (layer, position, kvDim)
    private int pos;

    ReferenceForward(Model model, int maxPositions) {
        this.c = model.config();
        this.w = model.weights();
        keys = new float[c.layers()][maxPositions][];
        values = new float[c.layers()][maxPositions][];
    }

    /** Feeds one token at the next position and returns its logits (vocab). */
    float[] next(int token) {
        float[] x = row(Dequant.toFloats(w.tokenEmbedding()), token, c.dim());
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights lw = w.layers().get(l);
            float[] h = rmsNorm(x, lw.attnNorm());
            float[] q = matvec(lw.wq(), h);
            float[] k = matvec(lw.wk(), h);
            float[] v = matvec(lw.wv(), h);
            if (lw.bias().isPresent()) {
                add(q, lw.bias().get().q());
                add(k, lw.bias().get().k());
                add(v, lw.bias().get().v());
            }
            rope(q, c.heads());
            rope(k, c.kvHeads());
            keys[l][pos] = k;
            values[l][pos] = v;
            float[] att = new float[c.qDim()];
            for (int hd = 0; hd < c.heads(); hd++) {
                int kvh = hd / c.groupSize();
                double[] s = new double[pos + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t <= pos; t++) {
                    double dot = 0;
                    for (int i = 0; i < c.headDim(); i++) {
                        dot += q[hd * c.headDim() + i] * keys[l][t][kvh * c.headDim() + i];
                    }
                    s[t] = dot / Math.sqrt(c.headDim());
                    max = Math.max(max, s[t]);
                }
                double sum = 0;
                for (int t = 0; t <= pos; t++) {
                    s[t] = Math.exp(s[t] - max);
                    sum += s[t];
                }
                for (int i = 0; i < c.headDim(); i++) {
                    double o = 0;
                    for (int t = 0; t <= pos; t++) {
                        o += s[t] / sum * values[l][t][kvh * c.headDim() + i];
                    }
                    att[hd * c.headDim() + i] = (float) o;
                }
            }
            add(x, matvec(lw.wo(), att));
            float[] h2 = rmsNorm(x, lw.ffnNorm());
            float[] g = matvec(lw.gate(), h2);
            float[] u = matvec(lw.up(), h2);
            for (int i = 0; i < g.length; i++) {
                g[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
            }
            add(x, matvec(lw.down(), g));
        }
        pos++;
        return matvec(w.output(), rmsNorm(x, w.outputNorm()));
    }

    private void rope(float[] v, int nHeads) {
        float[] factors = w.ropeFreqFactors().orElse(null);
        int half = c.ropeDim() / 2;
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < half; i++) {
                double freq = Math.pow(c.ropeTheta(), -2.0 * i / c.ropeDim()) / (factors == null ? 1 : factors[i]);
                double a = pos * freq;
                int i0 = h * c.headDim() + (c.ropeStyle() == RopeStyle.NORMAL ? 2 * i : i);
                int i1 = c.ropeStyle() == RopeStyle.NORMAL ? i0 + 1 : i0 + half;
                double v0 = v[i0];
                double v1 = v[i1];
                v[i0] = (float) (v0 * Math.cos(a) - v1 * Math.sin(a));
                v[i1] = (float) (v0 * Math.sin(a) + v1 * Math.cos(a));
            }
        }
    }

    private float[] rmsNorm(float[] x, float[] weight) {
        double ss = 0;
        for (float f : x) {
            ss += (double) f * f;
        }
        double inv = 1 / Math.sqrt(ss / x.length + c.rmsEps());
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (x[i] * inv * weight[i]);
        }
        return out;
    }

    private static float[] matvec(dev.canopy.executor.tensor.Tensor t, float[] x) {
        float[] m = Dequant.toFloats(t);
        int cols = t.cols();
        int rows = t.rows();
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int i = 0; i < cols; i++) {
                s += (double) m[r * cols + i] * x[i];
            }
            out[r] = (float) s;
        }
        return out;
    }

    private static float[] row(float[] m, int r, int n) {
        float[] out = new float[n];
        System.arraycopy(m, r * n, out, 0, n);
        return out;
    }

    private static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) {
            x[i] += y[i];
        }
    }
}
