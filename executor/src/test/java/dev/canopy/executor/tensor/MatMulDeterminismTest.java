package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Re-running a pipeline must reproduce its output bit for bit, so an output element may not depend on
 * how many other rows share the batch, where it sits in the batch, or how rows were split among threads.
 */
class MatMulDeterminismTest {

    private static final int ROWS = 37; // not a multiple of any tile or row unit
    private static final int BATCH = 64;

    static Stream<Arguments> backendsAndTypes() {
        return MatMulTest.backendsAndTypes();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backendsAndTypes")
    void everyOutputIsBitIdenticalWhateverTheBatchAndThreads(TestBackend backend, GgmlType type) {
        int cols = type.quantized() ? 288 : 291;
        Tensor w = TestTensors.randomMatrix(type, ROWS, cols, 42);
        float[] x = TestTensors.randomValues(new Random(9), BATCH * cols); // (BATCH, cols)

        List<float[]> results = new ArrayList<>();
        for (int threads = 1; threads <= 2; threads++) {
            try (Parallel parallel = new Parallel(threads)) {
                MatMul matMul = backend.create(parallel);
                results.add(run(matMul, w, x, cols, BATCH, 0));
                float[] sevens = new float[BATCH * ROWS];
                for (int b0 = 0; b0 < BATCH; b0 += 7) {
                    int n = Math.min(7, BATCH - b0);
                    System.arraycopy(run(matMul, w, x, cols, n, b0), 0, sevens, b0 * ROWS, n * ROWS);
                }
                results.add(sevens);
                float[] ones = new float[BATCH * ROWS];
                for (int b = 0; b < BATCH; b++) {
                    System.arraycopy(run(matMul, w, x, cols, 1, b), 0, ones, b * ROWS, ROWS);
                }
                results.add(ones);
            }
        }
        for (float[] result : results) {
            assertThat(Arrays.equals(result, results.get(0))).as("%s %s bit-identical", backend, type).isTrue();
        }
    }

    private static float[] run(MatMul matMul, Tensor w, float[] x, int cols, int batch, int firstRow) {
        float[] out = new float[batch * ROWS];
        matMul.apply(w, x, firstRow * cols, batch, out, 0);
        return out;
    }
}
