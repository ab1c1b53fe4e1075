package dev.canopy.executor.tensor.bench;

import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.KernelChoice;
import dev.canopy.executor.tensor.MatMul;
import dev.canopy.executor.tensor.Parallel;
import dev.canopy.executor.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A quick throughput check of {@link MatMul}, not a test: GB/s of weights streamed by the matrix-vector
 * product (batch 1, the decode case) and GFLOP/s of the batch-64 product (prefill), per weight type,
 * backend and shape of a 134M llama (dim 768, ffn 2048, vocab 32000), plus the dispatch latency of an
 * empty {@link Parallel#forRange}.
 *
 * <p>Run: {@code scripts/bench.sh main dev.canopy.executor.tensor.bench.MatMulBench
 * [threads] [types, e.g. Q8_0,F16] [backends, e.g. NATIVE,JAVA] [seconds per case] [shapes rows x cols,
 * e.g. 2048x768,160000x768]}. A matrix larger than the caches (160000x768 Q8_0 is 130 MB, the size of the
 * whole 134M model) shows the memory bandwidth the decode step really gets.
 */
public final class MatMulBench {


    private MatMulBench() {}

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        List<String> types = List.of((args.length > 1 ? args[1] : "Q8_0,Q4_0,F16,BF16,F32").split(","));
        List<String> backends = List.of((args.length > 2 ? args[2] : "NATIVE,JAVA").split(","));
        double seconds = args.length > 3 ? Double.parseDouble(args[3]) : 0.4;
        String[] shapes = (args.length > 4 ? args[4] : "2048x768,768x2048,32000x768").split(",");
        try (Parallel parallel = new Parallel(threads)) {
            System.out.printf(Locale.ROOT, "threads %d, empty forRange: %.2f us (best round of 10000)%n", threads, dispatchMicros(parallel));
            for (String backendName : backends) {
                MatMul matMul = new MatMul(parallel, KernelChoice.valueOf(backendName));
                if (matMul.backend() != KernelChoice.valueOf(backendName)) {
                    continue;
                }
                for (String typeName : types) {
                    GgmlType type = GgmlType.valueOf(typeName);
                    for (String shape : shapes) {
                        String[] rc = shape.split("x");
                        benchmark(matMul, type, Integer.parseInt(rc[0]), Integer.parseInt(rc[1]), seconds);
                    }
                }
            }
        }
    }

    private static double dispatchMicros(Parallel parallel) {
        long[] sink = new long[64];
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 20; round++) {
            int n = 10_000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                parallel.forRange(parallel.threads(), (s, e) -> sink[s * 8]++);
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e3 / n);
        }
        return best;
    }

    private static void benchmark(MatMul matMul, GgmlType type, int rows, int cols, double seconds) {
        Tensor w = randomTensor(type, rows, cols);
        long bytes = w.data().byteSize();
        int batch = 64;
        float[] x = new float[batch * cols];
        Random random = new Random(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() * 2 - 1;
        }
        float[] out = new float[batch * rows];
        double gemv = secondsPerCall(() -> matMul.apply(w, x, 1, out), seconds);
        double gemm = secondsPerCall(() -> matMul.apply(w, x, batch, out), seconds);
        System.out.printf(Locale.ROOT, "%-6s %-5s %5d x %4d  best GEMV %7.1f us %6.1f GB/s   GEMM(64) %8.1f us %6.1f GFLOP/s%n",
                matMul.backend(), type, rows, cols, gemv * 1e6, bytes / gemv / 1e9, gemm * 1e6,
                2.0 * rows * cols * batch / gemm / 1e9);
    }

    /**
     * The fastest call seen in about {@code seconds} of calls after a warm-up: on a machine shared with other
     * work the fastest call is the one that ran undisturbed.
     */
    private static double secondsPerCall(Runnable call, double seconds) {
        long warmUntil = System.nanoTime() + (long) (seconds * 0.5e9);
        while (System.nanoTime() < warmUntil) {
            call.run();
        }
        long best = Long.MAX_VALUE;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        long now;
        do {
            long t0 = System.nanoTime();
            call.run();
            now = System.nanoTime();
            best = Math.min(best, now - t0);
        } while (now < end);
        return best / 1e9;
    }

    /** Random weights of {@code type}: valid scales (small fp16) and random quants / values. */
    private static Tensor randomTensor(GgmlType type, int rows, int cols) {
        long size = type.byteSize((long) rows * cols);
        MemorySegment data = Arena.ofAuto().allocate(size + 64, 64).asSlice(2, size); // unaligned, like a GGUF slice
        Random random = new Random(1);
        ValueLayout.OfShort shortLe = ValueLayout.JAVA_SHORT_UNALIGNED;
        for (long i = 0; i < size; i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
        long blocks = size / type.bytesPerBlock();
        for (long blk = 0; blk < blocks; blk++) {
            long at = blk * type.bytesPerBlock();
            switch (type) {
                case Q8_0, Q4_0, F16 -> data.set(shortLe, at, Float.floatToFloat16(random.nextFloat() * 0.02f));
                case BF16 -> data.set(shortLe, at, (short) (Float.floatToRawIntBits(random.nextFloat() - 0.5f) >>> 16));
                case F32 -> data.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at, random.nextFloat() - 0.5f);
                default -> throw new IllegalArgumentException("Cannot benchmark type " + type);
            }
        }
        return new Tensor("bench." + type, type, new long[] {cols, rows}, data);
    }
}
