package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Several weights on one input in one call give the same bits as one call per weight. */
class MatMulApplyAllTest {

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"F32", "Q8_0", "Q4_0"})
    void applyAllEqualsSeparateCallsBitForBit(GgmlType type) {
        int cols = 64;
        Tensor[] ws = {TestTensors.randomMatrix(type, 40, cols, 1), TestTensors.randomMatrix(type, 24, cols, 2),
            TestTensors.randomMatrix(type, 53, cols, 3)};
        for (int batch : new int[] {1, 5}) {
            float[] x = TestTensors.randomValues(new Random(batch), batch * cols);
            for (KernelChoice backend : new KernelChoice[] {KernelChoice.AUTO, KernelChoice.JAVA}) {
                try (Parallel p = new Parallel(2)) {
                    MatMul mm = new MatMul(p, backend);
                    float[][] together = new float[ws.length][];
                    for (int m = 0; m < ws.length; m++) {
                        together[m] = new float[batch * ws[m].rows()];
                    }
                    mm.applyAll(ws, x, batch, together);
                    for (int m = 0; m < ws.length; m++) {
                        float[] alone = new float[batch * ws[m].rows()];
                        mm.apply(ws[m], x, batch, alone);
                        assertThat(together[m]).as("%s matrix %d batch %d %s", type, m, batch, backend)
                                .containsExactly(alone);
                    }
                }
            }
        }
    }
}
