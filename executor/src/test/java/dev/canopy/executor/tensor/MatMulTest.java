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
 * of n products). Quantized activations (native kernels): each activation group (a block of 32; 256 values for
 * the K-quants) is rounded to {@code dx·q} with {@code dx = max|x|/127} over the group, off by at most
 * {@code dx/2} per value, so additionally |out − ref| ≤ Σ_groups (dx/2)·Σ_group |w|.
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

    /** The documented error bound for one output element (see the class comment), activations per block of 32. */
    static double bound(float[] w, int row, int cols, float[] x, int xAt, boolean quantizedActivations) {
        return bound(w, row, cols, x, xAt, quantizedActivations ? 32 : 0);
    }

    /**
     * The documented error bound for one output element, activations quantized with one scale per
     * {@code perScale} values (0: not quantized): each value is off by at most half its scale, max|x| / 127 / 2
     * over its group, so the quantization adds Σ_groups (max|x| / 254)·Σ_group |w|.
     */
    static double bound(float[] w, int row, int cols, float[] x, int xAt, int perScale) {
        double magnitude = 0;
        for (int c = 0; c < cols; c++) {
            magnitude += Math.abs((double) w[row * cols + c] * x[xAt + c]);
        }
        double bound = cols * 0x1p-23 * magnitude + 1e-30;
        for (int g = 0; perScale > 0 && g < cols; g += perScale) {
            double amax = 0;
            double wsum = 0;
            for (int j = g; j < Math.min(cols, g + perScale); j++) {
                amax = Math.max(amax, Math.abs(x[xAt + j]));
                wsum += Math.abs(w[row * cols + j]);
            }
            bound += amax / 127 / 2 * wsum * (1 + 1e-6);
        }
        return bound;
    }

    /**
     * Values per activation scale of the native kernels for a quantized weight type: 256 for the K-quants
     * (canopy_act_group 8, checked against the library by NativeKernelsTest), 32 for the others.
     */
    static int activationValuesPerScale(GgmlType type) {
        return type == GgmlType.Q4_K || type == GgmlType.Q5_K || type == GgmlType.Q6_K ? 256 : 32;
    }
}
