package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The activation quantizer of the C library, against its specification, at every code level; its K-quant checks. */
class NativeKernelsTest {

    private NativeKernels kernels;

    @BeforeEach
    void requireLibrary() {
        kernels = NativeKernelsUnderTest.loadOrSkip();
    }

    @Test
    void quantizesEachBlockToRoundedMultiplesOfMaxOver127AtEveryLevel() {
        int cols = 5 * 32; // an odd block count: the last pair is half empty
        int batch = 3;
        float[] x = TestTensors.randomValues(new Random(3), 1 + batch * cols);
        for (int i = 1 + 32; i < 1 + 64; i++) {
            x[i] = 0; // an all-zero block
        }
        x[1 + 64] = 1.25f; // block max 63.5: d = 0.5, so 1.25 scales to the tie 2.5, which rounds to even (2)
        x[1 + 65] = 63.5f;
        byte[] expected = expectedLayout(x, 1, cols, batch);
        assertThat(expected[192]).isEqualTo((byte) 2); // block 2 opens the second pair
        assertEveryLevelWrites(expected, x, 1, cols, batch, 1);
    }

    @Test
    void quantizesEachGroupOfBlocksWithTheGroupsMaxOver127AtEveryLevel() {
        int cols = 11 * 32; // groups of 8 blocks: one whole, one of 3 blocks; an odd block count
        int batch = 2;
        float[] x = TestTensors.randomValues(new Random(5), 2 + batch * cols);
        x[2 + 40] = 9.5f; // the first group's max, in its second block: every block of the group scales by 9.5 / 127
        x[2 + cols + 300] = -7f; // the second row's second group's max
        byte[] expected = expectedLayout(x, 2, cols, batch, 8);
        MemorySegment layout = MemorySegment.ofArray(expected);
        assertThat(layout.get(Dequant.FLOAT_LE, 64)).isEqualTo(9.5f / 127f); // block 0
        assertThat(layout.get(Dequant.FLOAT_LE, (6 + 4) * 192 + 64)).isEqualTo(7f / 127f); // row 1 (6 pairs on), block 8
        assertEveryLevelWrites(expected, x, 2, cols, batch, 8);
    }

    @Test
    void asksForOneActivationScalePer256ValuesExactlyForTheKQuants() {
        for (GgmlType type : GgmlType.values()) {
            if (type.quantized()) {
                assertThat(kernels.actGroup(type.id()) * 32).as(type.name())
                        .isEqualTo(MatMulTest.activationValuesPerScale(type));
            }
        }
    }

    @Test
    void refusesKQuantActivationsWithAScalePerBlock() {
        int cols = 256;
        byte[] w = Quantizer.quantize(GgmlType.Q4_K, TestTensors.randomValues(new Random(1), cols));
        float[] x = TestTensors.randomValues(new Random(2), cols);
        byte[] act = new byte[(int) kernels.actBytes(cols, 1)];
        kernels.quantize(0, MemorySegment.ofArray(x), 0, cols, 1, 1, MemorySegment.ofArray(act));
        for (int level = 0; level <= kernels.level(); level++) {
            int at = level;
            assertThatThrownBy(() -> kernels.matmulQuant(at, GgmlType.Q4_K.id(), MemorySegment.ofArray(w), 1, cols,
                    MemorySegment.ofArray(act), 1, MemorySegment.ofArray(new float[1]), 0, 0, 1))
                    .as("level %d", level)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("one scale per 256 values");
        }
    }

    private void assertEveryLevelWrites(byte[] expected, float[] x, int xOffset, int cols, int batch, int group) {
        for (int level = 0; level <= kernels.level(); level++) {
            byte[] act = new byte[(int) kernels.actBytes(cols, batch)];
            kernels.quantize(level, MemorySegment.ofArray(x), xOffset, cols, batch, group, MemorySegment.ofArray(act));
            assertThat(act).as("level %d, %d blocks per scale", level, group).containsExactly(expected);
        }
    }

    /** The layout documented at canopy_quantize, computed in Java. */
    private static byte[] expectedLayout(float[] x, int xOffset, int cols, int batch) {
        return expectedLayout(x, xOffset, cols, batch, 1);
    }

    /** The layout documented at canopy_quantize_grouped, one scale per {@code group} blocks, computed in Java. */
    private static byte[] expectedLayout(float[] x, int xOffset, int cols, int batch, int group) {
        int pairs = (cols / 32 + 1) / 2;
        MemorySegment out = MemorySegment.ofArray(new byte[pairs * 192 * batch]);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < cols / 32; j++) {
                long pair = (long) (b * pairs + j / 2) * 192;
                int half = j % 2;
                float amax = 0;
                int first = j / group * group * 32;
                for (int i = first; i < Math.min(cols, first + group * 32); i++) {
                    amax = Math.max(amax, Math.abs(x[xOffset + b * cols + i]));
                }
                float d = amax / 127f;
                float id = d != 0 ? 1f / d : 0f;
                int sum = 0;
                for (int i = 0; i < 32; i++) {
                    int q = (int) Math.max(-127, Math.min(127, Math.rint(x[xOffset + b * cols + j * 32 + i] * id)));
                    out.set(ValueLayout.JAVA_BYTE, pair + half * 32 + i, (byte) q);
                    sum += q;
                }
                for (int i = 0; i < 8; i++) {
                    out.set(Dequant.FLOAT_LE, pair + 64 + half * 32 + 4 * i, d);
                }
                out.set(ValueLayout.JAVA_INT_UNALIGNED, pair + 128 + half * 32, -sum);
            }
        }
        return out.toArray(ValueLayout.JAVA_BYTE);
    }
}
