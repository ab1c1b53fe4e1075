package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every backend and weight type against {@link ReferenceMatMul}, on shapes that do not fit the tiles:
 * row counts not a multiple of 4, an odd number of 32-blocks, float rows not a multiple of 16, batches 1..9.
 *
 * <p>Tolerances. Float arithmetic: |out − ref| ≤ n·2⁻²³·Σ|w·x| (n = cols, the classic bound for a sum
 * of n products). Quantized activations (native Q8_0/Q4_0): each activation block is rounded to
 * {@code dx·q} with {@code dx = max|x|/127}, off by at most {@code dx/2} per value, so additionally
 * |out − ref| ≤ Σ_blocks (dx/2)·Σ_block |w|.
 */
class MatMulTest {

    private static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0};
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
        int[][] shapes = type.quantized()
                ? new int[][] {{1, 32}, {5, 64}, {13, 96}, {37, 288}, {6, 800}}
                : new int[][] {{1, 1}, {5, 7}, {13, 33}, {37, 288}, {6, 805}};
        for (int[] shape : shapes) {
            int rows = shape[0];
            int cols = shape[1];
            float[] values = TestTensors.randomValues(new Random(rows * 31L + cols), rows * cols);
            Tensor w = TestTensors.matrix(type, rows, cols, values);
            float[] decoded = Dequant.toFloats(w);
            for (int batch = 1; batch <= 9; batch += batch < 5 ? 1 : 4) {
                float[] x = TestTensors.randomValues(new Random(batch), 3 + batch * cols);
                float[] out = new float[2 + batch * rows];
                float[] expected = new float[2 + batch * rows];
                matMul.apply(w, x, 3, batch, out, 2);
                ReferenceMatMul.apply(w, x, 3, batch, expected, 2);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < rows; r++) {
                        double bound = bound(decoded, r, cols, x, 3 + b * cols, backend.quantizesActivations() && type.quantized());
                        assertThat((double) out[2 + b * rows + r])
                                .as("%s %s %dx%d batch %d: out[%d][%d]", backend, type, rows, cols, batch, b, r)
                                .isCloseTo(expected[2 + b * rows + r], org.assertj.core.api.Assertions.within(bound));
                    }
                }
            }
        }
    }

    /** The documented error bound for one output element (see the class comment). */
    static double bound(float[] w, int row, int cols, float[] x, int xAt, boolean quantizedActivations) {
        double magnitude = 0;
        for (int c = 0; c < cols; c++) {
            magnitude += Math.abs((double) w[row * cols + c] * x[xAt + c]);
        }
        double bound = cols * 0x1p-23 * magnitude + 1e-30;
        if (quantizedActivations) {
            for (int blk = 0; blk < cols / 32; blk++) {
                double amax = 0;
                double wsum = 0;
                for (int j = 0; j < 32; j++) {
                    amax = Math.max(amax, Math.abs(x[xAt + blk * 32 + j]));
                    wsum += Math.abs(w[row * cols + blk * 32 + j]);
                }
                bound += amax / 127 / 2 * wsum * (1 + 1e-6);
            }
        }
        return bound;
    }
}
