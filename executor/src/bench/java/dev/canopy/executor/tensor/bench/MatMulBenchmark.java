package dev.canopy.executor.tensor.bench;

import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.KernelChoice;
import dev.canopy.executor.tensor.MatMul;
import dev.canopy.executor.tensor.Parallel;
import dev.canopy.executor.tensor.Quantizer;
import dev.canopy.executor.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Kernel throughput per weight type: one {@code rows × cols} matrix times {@code batch} activation
 * rows. Batch 1 is a decode step (memory-bound: every weight byte is read once per token), larger
 * batches are prefill. Report weights per second = rows·cols·batch / time.
 *
 * <p>Run: {@code scripts/bench.sh jmh MatMulBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatMulBenchmark {

    @Param({"F32", "F16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K", "MXFP4"})
    public String type;

    @Param({"AUTO", "JAVA"}) // or a forced path: NATIVE_AVX512, NATIVE_AVX2, NATIVE_C
    public String kernels;

    @Param({"1", "16"})
    public int batch;

    @Param({"2048"})
    public int rows;

    @Param({"4096"})
    public int cols;

    @Param({"1"})
    public int threads;

    private Parallel parallel;
    private MatMul matMul;
    private Tensor weights;
    private float[] x; // (batch, cols)
    private float[] out; // (batch, rows)

    @Setup(Level.Trial)
    public void setUp() {
        GgmlType t = GgmlType.valueOf(type);
        Random random = new Random(1);
        float[] values = new float[rows * cols]; // (rows, cols)
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian() * 0.02f;
        }
        byte[] bytes = Quantizer.quantize(t, values);
        MemorySegment data = Arena.ofAuto().allocate(bytes.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, bytes.length);
        weights = new Tensor("bench", t, new long[] {cols, rows}, data);
        x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        out = new float[batch * rows];
        parallel = new Parallel(threads);
        matMul = new MatMul(parallel, KernelChoice.valueOf(kernels));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        parallel.close();
    }

    @Benchmark
    public float[] multiply() {
        matMul.apply(weights, x, batch, out);
        return out;
    }
}
