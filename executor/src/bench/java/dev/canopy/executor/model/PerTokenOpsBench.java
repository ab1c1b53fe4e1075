package dev.canopy.executor.model;

import dev.canopy.executor.tensor.FloatOps;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * CPU time, per decoded token on one thread, of the per-token work a decode step does besides the matrix products
 * and attention, in the Vector API, for the synthetic 134M model's shape (12 layers, dim 768, 12 heads of 64, FFN
 * 2048): per layer two RMS norms, RoPE angles (once per step since the Transformer computes them once for all
 * layers; here per layer, an upper bound) and rotation of q and k, two residual adds and SiLU(gate) * up. Compare with {@code DecodeCpuBench}'s step time: the share these would save if moved to C is at
 * most their whole time.
 *
 * <p>Run: {@code scripts/bench.sh main dev.canopy.executor.model.PerTokenOpsBench [tokens]}
 */
public final class PerTokenOpsBench {

    private PerTokenOpsBench() {}

    public static void main(String[] args) {
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 20000;
        int layers = 12;
        int dim = 768;
        int heads = 12;
        int headDim = 64;
        int ffn = 2048;
        ModelConfig c = new ModelConfig("llama", dim, layers, heads, heads, headDim, ffn, 32000, 4096, 1e-5f, 10000f,
                headDim, RopeStyle.NORMAL, false);
        Random rnd = new Random(1);
        float[] x = random(rnd, dim);
        float[] xb = new float[dim];
        float[] weight = random(rnd, dim);
        float[] q = random(rnd, c.qDim());
        float[] k = random(rnd, c.kvDim());
        float[] proj = random(rnd, dim);
        float[] gate = random(rnd, ffn);
        float[] gate0 = gate.clone();
        float[] x0 = x.clone();
        float[] up = random(rnd, ffn);
        float[] cs = new float[c.ropeDim()];
        Rope rope = new Rope(c, null);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (int round = 0; round < 4; round++) {
            long[] ns = new long[4]; // norms, rope, residual adds, activation
            for (int t = 0; t < tokens; t++) {
                for (int l = 0; l < layers; l++) {
                    long t0 = mx.getCurrentThreadCpuTime();
                    FloatOps.rmsNorm(xb, 0, x, 0, weight, dim, 1e-5f);
                    FloatOps.rmsNorm(xb, 0, x, 0, weight, dim, 1e-5f);
                    long t1 = mx.getCurrentThreadCpuTime();
                    rope.angles(100 + t % 1000, cs, 0);
                    rope.apply(q, 0, heads, cs, 0);
                    rope.apply(k, 0, heads, cs, 0);
                    long t2 = mx.getCurrentThreadCpuTime();
                    FloatOps.add(x, 0, proj, 0, dim);
                    FloatOps.add(x, 0, proj, 0, dim);
                    long t3 = mx.getCurrentThreadCpuTime();
                    FloatOps.siluMul(gate, 0, up, 0, ffn);
                    long t4 = mx.getCurrentThreadCpuTime();
                    ns[0] += t1 - t0;
                    ns[1] += t2 - t1;
                    ns[2] += t3 - t2;
                    ns[3] += t4 - t3;
                    System.arraycopy(x0, 0, x, 0, dim); // the same values every layer: no drift to denormals
                    System.arraycopy(gate0, 0, gate, 0, ffn);
                }
            }
            System.out.printf("per token (%d layers): norms %.1f us, rope %.1f us, residual adds %.1f us, silu*up %.1f us"
                    + " (each includes ~4 thread-CPU-clock reads per layer)%n", layers, ns[0] / 1e3 / tokens,
                    ns[1] / 1e3 / tokens, ns[2] / 1e3 / tokens, ns[3] / 1e3 / tokens);
        }
    }

    private static float[] random(Random rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) rnd.nextGaussian();
        }
        return a;
    }
}
