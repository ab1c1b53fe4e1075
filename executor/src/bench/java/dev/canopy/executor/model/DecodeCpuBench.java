package dev.canopy.executor.model;

import dev.canopy.executor.tensor.KernelChoice;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;

/**
 * CPU time of one decode step on one thread (no thread team), which a busy machine disturbs less than
 * wall time. Compare with {@code ModelMatMulBench} on one thread: the difference is what a step spends
 * outside the matrix products (attention, norms, rope, KV writes, glue).
 *
 * <p>Run: {@code scripts/bench.sh main dev.canopy.executor.model.DecodeCpuBench MODEL [context] [steps]}
 */
public final class DecodeCpuBench {

    private DecodeCpuBench() {}

    public static void main(String[] args) {
        Path path = Path.of(args[0]);
        int context = args.length > 1 ? Integer.parseInt(args[1]) : 192;
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Model model = Model.load(path);
             CpuBackend backend = new CpuBackend(model, 1, KernelChoice.NATIVE, context / 16 + 2, 16)) {
            int[] table = new int[context / 16 + 2];
            for (int i = 0; i < table.length; i++) {
                table[i] = i;
            }
            int[] prompt = new int[context];
            for (int i = 0; i < context; i++) {
                prompt[i] = 3 + (i * 7919) % (model.config().vocab() - 3);
            }
            backend.forward(ForwardBatch.ofSequence(prompt, 0, table));
            long warmEnd = System.nanoTime() + 3_000_000_000L;
            while (System.nanoTime() < warmEnd) {
                backend.forward(ForwardBatch.ofSequence(new int[] {5}, context, table));
            }
            for (int round = 0; round < 3; round++) {
                long best = Long.MAX_VALUE;
                long total = 0;
                for (int s = 0; s < steps; s++) {
                    long c0 = mx.getCurrentThreadCpuTime();
                    backend.forward(ForwardBatch.ofSequence(new int[] {5}, context, table));
                    long c = mx.getCurrentThreadCpuTime() - c0;
                    best = Math.min(best, c);
                    total += c;
                }
                System.out.printf("context %d: decode step CPU time best %.2f ms, mean %.2f ms%n", context, best / 1e6,
                        total / 1e6 / steps);
            }
        }
    }
}
