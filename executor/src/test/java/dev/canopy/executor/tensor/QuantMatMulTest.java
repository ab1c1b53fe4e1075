package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K and MXFP4 kernels of every backend against {@link ReferenceMatMul},
 * within {@link MatMulTest#bound} (the native kernels quantize activations to 8 bits per block
 * of 32, per 256 values for the K-quants; the others multiply decoded floats), and bit-identical whatever the batch and the threads.
 */
class QuantMatMulTest {

    private static final GgmlType[] TYPES = {GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K,
            GgmlType.Q6_K, GgmlType.MXFP4};
    private static Parallel parallel;

    @BeforeAll
    static void startThreads() {
        parallel = new Parallel(2);
    }

    @AfterAll
    static void stopThreads() {
        parallel.close();
    }

    static Stream<Arguments> backendsAndTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (TestBackend backend : TestBackend.values()) {
            for (GgmlType type : TYPES) {
                cases.add(Arguments.of(backend, type));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void matchesTheReferenceOnAwkwardShapes(TestBackend backend, GgmlType type) {
        MatMul matMul = backend.create(parallel);
        int block = type.blockSize();
        int[][] shapes = {{1, block}, {5, 2 * block}, {13, 3 * block}, {6, 5 * block}, {3, 35 * block}}; // 35 blocks: two groups of 16 and a tail
        for (int[] shape : shapes) {
            int rows = shape[0];
            int cols = shape[1];
            Tensor w = matrix(type, rows, cols, rows * 31L + cols);
            float[] decoded = Dequant.toFloats(w);
            for (int batch = 1; batch <= 9; batch += batch < 5 ? 1 : 4) {
                float[] x = TestTensors.randomValues(new Random(batch), 3 + batch * cols);
                float[] out = new float[2 + batch * rows];
                float[] expected = new float[2 + batch * rows];
                matMul.apply(w, x, 3, batch, out, 2);
                ReferenceMatMul.apply(w, x, 3, batch, expected, 2);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < rows; r++) {
                        double bound = MatMulTest.bound(decoded, r, cols, x, 3 + b * cols,
                                backend.quantizesActivations() ? MatMulTest.activationValuesPerScale(type) : 0);
                        assertThat((double) out[2 + b * rows + r])
                                .as("%s %s %dx%d batch %d: out[%d][%d]", backend, type, rows, cols, batch, b, r)
                                .isCloseTo(expected[2 + b * rows + r], within(bound));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void everyOutputIsBitIdenticalWhateverTheBatchAndThreads(TestBackend backend, GgmlType type) {
        int rows = 37;
        int batch = 24;
        int cols = type.blockSize() == 32 ? 288 : 512;
        Tensor w = matrix(type, rows, cols, 42);
        float[] x = TestTensors.randomValues(new Random(9), batch * cols); // (batch, cols)
        List<float[]> results = new ArrayList<>();
        for (int threads = 1; threads <= 3; threads += 2) {
            try (Parallel team = new Parallel(threads)) {
                MatMul matMul = backend.create(team);
                float[] all = new float[batch * rows]; // (batch, rows)
                matMul.apply(w, x, 0, batch, all, 0);
                results.add(all);
                float[] ones = new float[batch * rows]; // (batch, rows)
                for (int b = 0; b < batch; b++) {
                    matMul.apply(w, x, b * cols, 1, ones, b * rows);
                }
                results.add(ones);
            }
        }
        for (float[] result : results) {
            assertThat(Arrays.equals(result, results.get(0))).as("%s %s bit-identical", backend, type).isTrue();
        }
    }

    /** A rows × cols matrix of random weights encoded as {@code type}, off-heap at an odd address. */
    static Tensor matrix(GgmlType type, int rows, int cols, long seed) {
        byte[] bytes = Quantizer.quantize(type, TestTensors.randomValues(new Random(seed), rows * cols));
        MemorySegment data = Arena.ofAuto().allocate(bytes.length + 16L, 64).asSlice(5, bytes.length);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, data, 0, bytes.length);
        return new Tensor("test." + type, type, new long[] {cols, rows}, data);
    }
}
