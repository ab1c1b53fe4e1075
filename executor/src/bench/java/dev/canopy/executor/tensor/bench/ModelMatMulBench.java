package dev.canopy.executor.tensor.bench;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.tensor.KernelChoice;
import dev.canopy.executor.tensor.MatMul;
import dev.canopy.executor.tensor.Parallel;
import dev.canopy.executor.tensor.Tensor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The matrix products of whole forward steps of a real GGUF model, nothing else: every 2-D weight once
 * per step, as the decode step (batch 1) and a prefill chunk (batch 64) multiply them. The ceiling the
 * kernels put on tokens per second; not a test.
 *
 * <p>Run: {@code scripts/bench.sh main dev.canopy.executor.tensor.bench.ModelMatMulBench
 * MODEL.gguf [threads] [NATIVE|JAVA] [steps]}.
 */
public final class ModelMatMulBench {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private ModelMatMulBench() {}

    public static void main(String[] args) {
        Path model = Path.of(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : Runtime.getRuntime().availableProcessors();
        KernelChoice backend = KernelChoice.valueOf(args.length > 2 ? args[2] : "NATIVE");
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        try (GgufFile file = GgufFile.open(model); Parallel parallel = new Parallel(threads)) {
            List<Tensor> weights = new ArrayList<>();
            long bytes = 0;
            for (String name : file.tensorInfos().keySet()) {
                Tensor t = file.tensor(name);
                if (t.rank() == 2 && !t.name().equals("token_embd.weight")) {
                    weights.add(t);
                    bytes += t.data().byteSize();
                }
            }
            if (weights.stream().noneMatch(t -> t.name().equals("output.weight"))) {
                weights.add(file.tensor("token_embd.weight")); // tied output
                bytes += file.tensor("token_embd.weight").data().byteSize();
            }
            MatMul matMul = new MatMul(parallel, backend);
            for (int batch : new int[] {1, 64}) {
                double best = Double.MAX_VALUE;
                double bestCpu = Double.MAX_VALUE;
                for (int step = 0; step < steps; step++) {
                    long t0 = System.nanoTime();
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    for (Tensor w : weights) {
                        matMul.apply(w, new float[batch * w.cols()], batch, new float[batch * w.rows()]);
                    }
                    bestCpu = Math.min(bestCpu, (THREADS.getCurrentThreadCpuTime() - c0) / 1e9);
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
                System.out.printf(Locale.ROOT, "%s %d threads batch %2d: best step %.2f ms (calling thread's CPU time %.2f ms),"
                        + " %.0f tokens/s, %.1f GB/s of weights%n", matMul.backend(), threads, batch, best * 1e3,
                        bestCpu * 1e3, batch / best, bytes / best / 1e9);
            }
        }
    }
}
