package dev.canopy.executor.model;

import dev.canopy.executor.tensor.KernelChoice;
import dev.canopy.executor.tensor.NativeAttention;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * CPU time of one decode step on one thread (no thread team), which a busy machine disturbs less than
 * wall time. Compare with {@code ModelMatMulBench} on one thread: the difference is what a step spends
 * outside the matrix products (attention, norms, rope, KV writes, glue).
 *
 * <p>With a fourth argument {@code ab-attention}, two backends in one process, one attending in the Vector API
 * ({@value NativeAttention#PROPERTY}{@code =false}) and one in C, measured in alternate rounds: each round prints
 * both and the Java/C ratio of their best steps.
 *
 * <p>Run: {@code scripts/bench.sh main dev.canopy.executor.model.DecodeCpuBench MODEL [context] [steps] [ab-attention]}
 */
public final class DecodeCpuBench {

    private DecodeCpuBench() {}

    public static void main(String[] args) {
        Path path = Path.of(args[0]);
        int context = args.length > 1 ? Integer.parseInt(args[1]) : 192;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        boolean ab = args.length > 3 && args[3].equals("ab-attention");
        int blocks = context / 16 + 2;
        int[] table = new int[blocks];
        for (int i = 0; i < table.length; i++) {
            table[i] = i;
        }
        try (Model model = Model.load(path)) {
            int[] prompt = new int[context];
            for (int i = 0; i < context; i++) {
                prompt[i] = 3 + (i * 7919) % (model.config().vocab() - 3);
            }
            CpuBackend javaAttention = null;
            if (ab) {
                System.setProperty(NativeAttention.PROPERTY, "false");
                javaAttention = new CpuBackend(model, 1, KernelChoice.NATIVE, blocks, 16);
                System.clearProperty(NativeAttention.PROPERTY);
            }
            try (CpuBackend backend = new CpuBackend(model, 1, KernelChoice.NATIVE, blocks, 16); CpuBackend other = javaAttention) {
                CpuBackend[] backends = other == null ? new CpuBackend[] {backend} : new CpuBackend[] {other, backend};
                for (CpuBackend b : backends) {
                    b.forward(ForwardBatch.ofSequence(prompt, 0, table));
                    long warmEnd = System.nanoTime() + 3_000_000_000L;
                    while (System.nanoTime() < warmEnd) {
                        b.forward(ForwardBatch.ofSequence(new int[] {5}, context, table));
                    }
                }
                for (int round = 0; round < 3; round++) {
                    long[] best = new long[backends.length];
                    for (int i = 0; i < backends.length; i++) {
                        best[i] = bestStep(backends[i], context, table, steps, i == 0 && other != null ? "Java attention"
                                : "C attention");
                    }
                    if (other != null) {
                        System.out.printf("context %d: Java/C attention, decode step time ratio %.3f%n", context,
                                (double) best[0] / best[1]);
                    }
                }
            }
        }
    }

    private static long bestStep(CpuBackend backend, int context, int[] table, int steps, String label) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long best = Long.MAX_VALUE;
        long total = 0;
        for (int s = 0; s < steps; s++) {
            long c0 = mx.getCurrentThreadCpuTime();
            backend.forward(ForwardBatch.ofSequence(new int[] {5}, context, table));
            long c = mx.getCurrentThreadCpuTime() - c0;
            best = Math.min(best, c);
            total += c;
        }
        System.out.printf("context %d, %s: decode step CPU time best %.2f ms, mean %.2f ms%n", context, label,
                best / 1e6, total / 1e6 / steps);
        return best;
    }
}
