package dev.canopy.executor.model;

import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.Tensor;

/**
 * A deliberately plain transformer forward, one token at a time with nested loops in double
 * precision, written from the architecture's definition: the yardstick for {@link Transformer}.
 * It covers every {@link ArchFeatures} piece (q/k norms, sliding window with its local RoPE base,
 * soft-caps, sinks, post-norms, biases, the FFN activations and mixtures of experts), each written
 * here again from llama.cpp's graph rather than shared with the engine.
 */
final class ReferenceForward {

    private final ModelConfig c;
    private final ModelWeights w;
    private final ArchFeatures f;
    private final float[][][] keys;   // (layer, position, kvDim)
    private final float[][][] values; // (layer, position, kvDim)
    private int pos;

    ReferenceForward(Model model, int maxPositions) {
        this.c = model.config();
        this.w = model.weights();
        this.f = c.features();
        keys = new float[c.layers()][maxPositions][];
        values = new float[c.layers()][maxPositions][];
    }

    /** Feeds one token at the next position and returns its logits (vocab). */
    float[] next(int token) {
        float[] x = row(Dequant.toFloats(w.tokenEmbedding()), token, c.dim());
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (x[i] * (double) f.embedScale());
        }
        for (int l = 0; l < c.layers(); l++) {
            LayerWeights lw = w.layers().get(l);
            LayerExtras ex = lw.extras();
            float[] h = rmsNorm(x, lw.attnNorm());
            float[] q = matvec(lw.wq(), h);
            float[] k = matvec(lw.wk(), h);
            float[] v = matvec(lw.wv(), h);
            if (lw.bias().isPresent()) {
                add(q, lw.bias().get().q());
                add(k, lw.bias().get().k());
                add(v, lw.bias().get().v());
            }
            if (ex.qNorm().isPresent()) {
                headNorm(q, ex.qNorm().get());
                headNorm(k, ex.kNorm().get());
            }
            boolean local = f.isLocal(l);
            double theta = local ? f.window().get().localRopeTheta() : c.ropeTheta();
            rope(q, c.heads(), theta);
            rope(k, c.kvHeads(), theta);
            keys[l][pos] = k;
            values[l][pos] = v;
            int first = local ? Math.max(0, pos - f.window().get().size() + 1) : 0;
            float[] att = attention(l, q, first, ex.sinks().orElse(null));
            float[] o = matvec(lw.wo(), att);
            ex.attnOutputBias().ifPresent(b -> add(o, b));
            add(x, ex.postAttnNorm().map(n -> rmsNorm(o, n)).orElse(o));
            float[] h2 = rmsNorm(x, lw.ffnNorm());
            float[] y = ex.experts().isPresent() ? experts(ex.experts().get(), h2)
                    : matvec(lw.down(), activate(matvec(lw.gate(), h2), matvec(lw.up(), h2)));
            add(x, ex.postFfnNorm().map(n -> rmsNorm(y, n)).orElse(y));
        }
        pos++;
        float[] logits = matvec(w.output(), rmsNorm(x, w.outputNorm()));
        if (f.finalSoftcap().isPresent()) {
            double cap = f.finalSoftcap().getAsDouble();
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (cap * Math.tanh(logits[i] / cap));
            }
        }
        return logits;
    }

    /** Every head's softmax-weighted values over positions first..pos, with soft-cap and sink. */
    private float[] attention(int l, float[] q, int first, float[] sinks) {
        float[] att = new float[c.qDim()];
        for (int hd = 0; hd < c.heads(); hd++) {
            int kvh = hd / c.groupSize();
            double[] s = new double[pos + 1];
            double max = sinks == null ? Double.NEGATIVE_INFINITY : sinks[hd];
            for (int t = first; t <= pos; t++) {
                double dot = 0;
                for (int i = 0; i < c.headDim(); i++) {
                    dot += q[hd * c.headDim() + i] * keys[l][t][kvh * c.headDim() + i];
                }
                s[t] = dot * f.attnScale().orElse(1 / Math.sqrt(c.headDim()));
                if (f.attnSoftcap().isPresent()) {
                    double cap = f.attnSoftcap().getAsDouble();
                    s[t] = cap * Math.tanh(s[t] / cap);
                }
                max = Math.max(max, s[t]);
            }
            double sum = sinks == null ? 0 : Math.exp(sinks[hd] - max);
            for (int t = first; t <= pos; t++) {
                s[t] = Math.exp(s[t] - max);
                sum += s[t];
            }
            for (int i = 0; i < c.headDim(); i++) {
                double o = 0;
                for (int t = first; t <= pos; t++) {
                    o += s[t] / sum * values[l][t][kvh * c.headDim() + i];
                }
                att[hd * c.headDim() + i] = (float) o;
            }
        }
        return att;
    }

    /** The router's top-k experts, weighed as the architecture says, each a gated FFN. */
    private float[] experts(ExpertWeights e, float[] h) {
        MoeSpec m = f.moe().get();
        float[] logits = matvec(e.router(), h);
        e.routerBias().ifPresent(b -> add(logits, b));
        double[] p = new double[m.experts()];
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        for (int i = 0; i < p.length; i++) { // the ranking: raw logits, or softmax probabilities (same order)
            p[i] = m.gating() == ExpertGating.TOP_K_SOFTMAX ? logits[i] : Math.exp(logits[i] - max);
        }
        int[] chosen = new int[m.used()];
        boolean[] taken = new boolean[p.length];
        for (int j = 0; j < chosen.length; j++) {
            int best = -1;
            for (int i = 0; i < p.length; i++) {
                if (!taken[i] && (best < 0 || p[i] > p[best])) {
                    best = i;
                }
            }
            taken[best] = true;
            chosen[j] = best;
        }
        double norm = 0; // softmax over all then renormalized over the chosen == softmax over the chosen logits
        for (int id : chosen) {
            norm += Math.exp(logits[id] - max);
        }
        float[] out = new float[c.dim()];
        for (int id : chosen) {
            float[] g = matvec(e.gate().get(id), h);
            float[] u = matvec(e.up().get(id), h);
            if (e.biases().isPresent()) {
                add(g, e.biases().get().gate()[id]);
                add(u, e.biases().get().up()[id]);
            }
            float[] y = matvec(e.down().get(id), activate(g, u));
            if (e.biases().isPresent()) {
                add(y, e.biases().get().down()[id]);
            }
            double weight = Math.exp(logits[id] - max) / norm;
            for (int i = 0; i < out.length; i++) {
                out[i] += (float) (weight * y[i]);
            }
        }
        return out;
    }

    /** act(g, u) of the architecture's gated FFN, element by element. */
    private float[] activate(float[] g, float[] u) {
        float[] out = new float[g.length];
        for (int i = 0; i < g.length; i++) {
            double gi = g[i];
            double ui = u[i];
            out[i] = (float) switch (f.activation()) {
                case SILU -> gi / (1 + Math.exp(-gi)) * ui;
                case GELU_TANH -> 0.5 * gi * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (gi + 0.044715 * gi * gi * gi))) * ui;
                case SWIGLU_OAI -> {
                    double gc = Math.min(gi, 7);
                    double uc = Math.max(-7, Math.min(ui, 7));
                    yield gc / (1 + Math.exp(-1.702 * gc)) * (uc + 1);
                }
            };
        }
        return out;
    }

    private void headNorm(float[] v, float[] weight) {
        int d = c.headDim();
        for (int h = 0; h < v.length / d; h++) {
            float[] one = new float[d];
            System.arraycopy(v, h * d, one, 0, d);
            System.arraycopy(rmsNorm(one, weight), 0, v, h * d, d);
        }
    }

    private void rope(float[] v, int nHeads, double theta) {
        float[] factors = w.ropeFreqFactors().orElse(null);
        int half = c.ropeDim() / 2;
        for (int h = 0; h < nHeads; h++) {
            for (int i = 0; i < half; i++) {
                double freq = Math.pow(theta, -2.0 * i / c.ropeDim()) / (factors == null ? 1 : factors[i]);
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
        for (float v : x) {
            ss += (double) v * v;
        }
        double inv = 1 / Math.sqrt(ss / x.length + c.rmsEps());
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = (float) (x[i] * inv * weight[i]);
        }
        return out;
    }

    private static float[] matvec(Tensor t, float[] x) {
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
