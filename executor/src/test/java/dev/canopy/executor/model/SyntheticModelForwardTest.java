package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.tensor.GgmlType;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a deliberately plain llama forward pass (F32, one token at a time) over a deep, narrow
 * synthetic model, to check that its random weights keep activations and logits in a sane range
 * for hundreds of steps. This is a property of the weights' scales, not a test of any engine.
 */
class SyntheticModelForwardTest {

    private static final SyntheticModel.Shape DEEP = new SyntheticModel.Shape(64, 12, 4, 2, 128, 300, 512);
    private static final int STEPS = 300;

    @TempDir
    Path dir;

    @Test
    void greedyDecodingKeepsLogitsFiniteAndSpreadForHundredsOfSteps() {
        Path file = dir.resolve("deep.gguf");
        SyntheticModel.write(file, DEEP, GgmlType.F32, 11);
        try (GgufFile f = GgufFile.open(file)) {
            Forward forward = new Forward(f, DEEP);
            int token = SyntheticVocabulary.BOS;
            double largestResidual = 0;
            for (int pos = 0; pos < STEPS; pos++) {
                float[] logits = forward.step(token, pos);
                double std = std(logits);
                assertThat(countNonFinite(logits)).as("non-finite logits at step %d", pos).isZero();
                assertThat(std).as("logit spread at step %d", pos).isBetween(0.2, 20.0);
                largestResidual = Math.max(largestResidual, forward.residualRms);
                token = argmax(logits);
            }
            assertThat(largestResidual).as("largest residual RMS").isLessThan(30);
        }
    }

    /** A textbook llama forward pass with a KV cache. */
    private static final class Forward {
        private final GgufFile f;
        private final Map<String, float[]> cache = new HashMap<>();
        private final SyntheticModel.Shape s;
        private final float[][] keys; // (layer, pos * kvDim)
        private final float[][] values; // (layer, pos * kvDim)
        double residualRms;

        Forward(GgufFile f, SyntheticModel.Shape s) {
            this.f = f;
            this.s = s;
            this.keys = new float[s.layers()][STEPS * s.kvDim()];
            this.values = new float[s.layers()][STEPS * s.kvDim()];
        }

        float[] step(int token, int pos) {
            int dim = s.dim();
            int hd = s.headDim();
            float[] x = new float[dim]; // (dim)
            System.arraycopy(weights("token_embd.weight"), token * dim, x, 0, dim);
            for (int l = 0; l < s.layers(); l++) {
                String b = "blk." + l + ".";
                float[] xb = rmsNorm(x, weights(b + "attn_norm.weight"));
                float[] q = matmul(b + "attn_q.weight", xb); // (heads * hd)
                float[] k = matmul(b + "attn_k.weight", xb); // (kvHeads * hd)
                float[] v = matmul(b + "attn_v.weight", xb); // (kvHeads * hd)
                rope(q, pos, hd);
                rope(k, pos, hd);
                System.arraycopy(k, 0, keys[l], pos * s.kvDim(), s.kvDim());
                System.arraycopy(v, 0, values[l], pos * s.kvDim(), s.kvDim());
                float[] att = new float[dim]; // (heads * hd)
                for (int h = 0; h < s.heads(); h++) {
                    int kvOffset = h / (s.heads() / s.kvHeads()) * hd;
                    float[] scores = new float[pos + 1]; // (pos + 1)
                    for (int t = 0; t <= pos; t++) {
                        float dot = 0;
                        for (int i = 0; i < hd; i++) {
                            dot += q[h * hd + i] * keys[l][t * s.kvDim() + kvOffset + i];
                        }
                        scores[t] = dot / (float) Math.sqrt(hd);
                    }
                    softmax(scores);
                    for (int t = 0; t <= pos; t++) {
                        for (int i = 0; i < hd; i++) {
                            att[h * hd + i] += scores[t] * values[l][t * s.kvDim() + kvOffset + i];
                        }
                    }
                }
                add(x, matmul(b + "attn_output.weight", att));
                xb = rmsNorm(x, weights(b + "ffn_norm.weight"));
                float[] gate = matmul(b + "ffn_gate.weight", xb); // (ffn)
                float[] up = matmul(b + "ffn_up.weight", xb); // (ffn)
                for (int i = 0; i < gate.length; i++) {
                    gate[i] = gate[i] / (1 + (float) Math.exp(-gate[i])) * up[i];
                }
                add(x, matmul(b + "ffn_down.weight", gate));
            }
            residualRms = rms(x);
            return matmul("output.weight", rmsNorm(x, weights("output_norm.weight")));
        }

        private float[] weights(String name) {
            return cache.computeIfAbsent(name, n -> f.tensor(n).data()
                    .toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN)));
        }

        /** out[r] = Σ_c W[r][c] · in[c] for a GGUF [cols, rows] matrix. */
        private float[] matmul(String name, float[] in) {
            float[] w = weights(name);
            float[] out = new float[w.length / in.length];
            for (int r = 0; r < out.length; r++) {
                float sum = 0;
                for (int c = 0; c < in.length; c++) {
                    sum += w[r * in.length + c] * in[c];
                }
                out[r] = sum;
            }
            return out;
        }

        private static float[] rmsNorm(float[] x, float[] weight) {
            float scale = (float) (1 / Math.sqrt(rms(x) * rms(x) + SyntheticModel.RMS_NORM_EPSILON));
            float[] out = new float[x.length];
            for (int i = 0; i < x.length; i++) {
                out[i] = x[i] * scale * weight[i];
            }
            return out;
        }

        /** Rotates adjacent pairs (2i, 2i+1) within each head. */
        private static void rope(float[] v, int pos, int hd) {
            for (int i = 0; i < v.length; i += 2) {
                int pair = i % hd;
                double angle = pos / Math.pow(SyntheticModel.ROPE_FREQ_BASE, (double) pair / hd);
                float cos = (float) Math.cos(angle);
                float sin = (float) Math.sin(angle);
                float a = v[i];
                float b = v[i + 1];
                v[i] = a * cos - b * sin;
                v[i + 1] = a * sin + b * cos;
            }
        }

        private static void softmax(float[] x) {
            float max = Float.NEGATIVE_INFINITY;
            for (float v : x) {
                max = Math.max(max, v);
            }
            float sum = 0;
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.exp(x[i] - max);
                sum += x[i];
            }
            for (int i = 0; i < x.length; i++) {
                x[i] /= sum;
            }
        }

        private static void add(float[] x, float[] y) {
            for (int i = 0; i < x.length; i++) {
                x[i] += y[i];
            }
        }
    }

    private static double rms(float[] x) {
        double sumSq = 0;
        for (float v : x) {
            sumSq += (double) v * v;
        }
        return Math.sqrt(sumSq / x.length);
    }

    private static double std(float[] x) {
        double mean = 0;
        for (float v : x) {
            mean += v;
        }
        mean /= x.length;
        double var = 0;
        for (float v : x) {
            var += (v - mean) * (v - mean);
        }
        return Math.sqrt(var / x.length);
    }

    private static int countNonFinite(float[] x) {
        int n = 0;
        for (float v : x) {
            n += Float.isFinite(v) ? 0 : 1;
        }
        return n;
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
