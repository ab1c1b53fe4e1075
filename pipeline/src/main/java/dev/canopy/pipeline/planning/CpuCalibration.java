package dev.canopy.pipeline.planning;

import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.KernelChoice;
import dev.canopy.executor.tensor.MatMul;
import dev.canopy.executor.tensor.Parallel;
import dev.canopy.executor.tensor.Quantizer;
import dev.canopy.executor.tensor.Tensor;
import dev.canopy.prefixtree.HardwareProfile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

/**
 * Measures this CPU for the planner's cost model: the weight bandwidth of a matrix-vector product
 * (decode) and the FLOP rate of a batched product (prefill), with the engine's own kernels on a
 * Q8_0 matrix larger than the caches. Takes a fraction of a second.
 */
public final class CpuCalibration {

    private static final int ROWS = 4096;
    private static final int COLS = 2048;

    private CpuCalibration() {}

    /** Runs the calibration with {@code threads} kernel threads. */
    public static HardwareProfile measure(int threads, KernelChoice kernels, long kvBudgetBytes) {
        try (Arena arena = Arena.ofShared(); Parallel parallel = new Parallel(threads)) {
            Tensor w = randomQ8(arena);
            MatMul mm = new MatMul(parallel, kernels);
            float[] x = new float[64 * COLS];   // (64, COLS)
            float[] out = new float[64 * ROWS]; // (64, ROWS)
            new SplittableRandom(1).doubles(x.length, -1, 1).forEach(new java.util.function.DoubleConsumer() {
                int i;
                @Override
                public void accept(double d) {
                    x[i++] = (float) d;
                }
            });
            double gemv = best(() -> mm.apply(w, x, 1, out), 12);
            double gemm = best(() -> mm.apply(w, x, 64, out), 3);
            double bytesPerSecond = w.data().byteSize() / gemv;
            double flopsPerSecond = 2.0 * 64 * ROWS * COLS / gemm;
            return HardwareProfile.measured("cpu:" + threads + "t:" + mm.backend().name().toLowerCase(),
                    flopsPerSecond, bytesPerSecond, kvBudgetBytes);
        }
    }

    private static Tensor randomQ8(Arena arena) {
        SplittableRandom rnd = new SplittableRandom(7);
        float[] row = new float[COLS];
        long rowBytes = GgmlType.Q8_0.byteSize(COLS);
        MemorySegment data = arena.allocate(rowBytes * ROWS, 64);
        for (int r = 0; r < ROWS; r++) {
            for (int c = 0; c < COLS; c++) {
                row[c] = (float) rnd.nextGaussian();
            }
            Quantizer.quantize(GgmlType.Q8_0, row, 0, COLS, data, r * rowBytes);
        }
        return new Tensor("calibration", GgmlType.Q8_0, new long[] {COLS, ROWS}, data);
    }

    /** The fastest of {@code n} timed runs (after one warm-up), in seconds. */
    private static double best(Runnable r, int n) {
        r.run();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e9;
    }
}
