package dev.canopy.executor.model;

import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.kv.KvStorage;
import dev.canopy.executor.tensor.KernelChoice;
import dev.canopy.executor.tensor.MatMul;
import dev.canopy.executor.tensor.NativeAttention;
import dev.canopy.executor.tensor.Parallel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

/**
 * Decode attention speed on one thread: one query row, every head of one layer, over a context of
 * {@code positions} tokens of the synthetic 134M model's shape (12 heads of 64), in the Vector API and in the C
 * library ({@link NativeAttention}, at the CPU's best level) alternately, three rounds each. Reports CPU time per
 * layer-call, which a busy machine disturbs less than wall time, and the Java/C ratio of each round.
 *
 * <p>Run: {@code scripts/bench.sh main dev.canopy.executor.model.AttentionBench [positions] [iterations]}
 */
public final class AttentionBench {

    private AttentionBench() {}

    public static void main(String[] args) {
        int positions = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int headsPerCall = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        int heads = 12;
        int headDim = 64;
        int bs = 16;
        ModelConfig c = new ModelConfig("llama", heads * headDim, 1, heads, heads, 2048, 32000, positions + bs, 64, 1e-5f,
                10000f, headDim, RopeStyle.NORMAL, false);
        int blocks = (positions + bs - 1) / bs;
        Random rnd = new Random(1);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (KvStorage kv = KvStorage.open(c, KvCacheType.F32, blocks, bs)) {
            int[] table = new int[blocks];
            float[] k = new float[c.kvDim()]; // (kvDim)
            float[] v = new float[c.kvDim()]; // (kvDim)
            for (int p = 0; p < positions; p++) {
                for (int i = 0; i < c.kvDim(); i++) {
                    k[i] = (float) rnd.nextGaussian();
                    v[i] = (float) rnd.nextGaussian();
                }
                table[p / bs] = p / bs;
                kv.write(0, p / bs, p % bs, k, 0, v, 0);
            }
            float[] q = new float[c.qDim()];   // (qDim)
            float[] out = new float[c.qDim()]; // (qDim)
            for (int i = 0; i < q.length; i++) {
                q[i] = (float) rnd.nextGaussian() * 0.2f;
            }
            NativeAttention inC;
            try (Parallel parallel = new Parallel(1)) {
                inC = NativeAttention.of(new MatMul(parallel, KernelChoice.NATIVE)).orElseThrow();
            }
            double scale = 1 / Math.sqrt(headDim);
            Attention java = new Attention(headDim, true, 0f, scale, null);
            Attention nativeC = new Attention(headDim, true, 0f, scale, inC);
            for (int round = 0; round < 3; round++) {
                double javaUs = time(java, q, table, kv, positions, heads, headsPerCall, iterations, out, mx);
                float javaOut = out[0];
                double cUs = time(nativeC, q, table, kv, positions, heads, headsPerCall, iterations, out, mx);
                System.out.printf("positions %d: Java %.1f us, C (level %d) %.1f us cpu per layer (%.2f / %.2f "
                        + "GFLOP/s), Java/C %.2f, same out[0]: %s%n", positions, javaUs, inC.level(), cUs,
                        4.0 * heads * headDim * positions / (javaUs * 1e3), 4.0 * heads * headDim * positions / (cUs * 1e3),
                        javaUs / cUs, javaOut == out[0]);
            }
        }
    }

    private static double time(Attention attention, float[] q, int[] table, KvStorage kv, int positions, int heads,
                               int headsPerCall, int iterations, float[] out, ThreadMXBean mx) {
        long cpu0 = mx.getCurrentThreadCpuTime();
        for (int it = 0; it < iterations; it++) {
            for (int h = 0; h < heads; h += headsPerCall) {
                attention.attendGroup(q, new int[] {0}, new int[] {positions - 1}, new int[][] {table}, kv, 0, h,
                        Math.min(heads, h + headsPerCall), 1, out);
            }
        }
        return (mx.getCurrentThreadCpuTime() - cpu0) / 1e3 / iterations;
    }
}
