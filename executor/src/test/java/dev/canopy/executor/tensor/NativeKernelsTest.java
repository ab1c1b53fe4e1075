package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The activation quantizer of the C library, against its specification, at every code level. */
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
        for (int level = 0; level <= kernels.level(); level++) {
            byte[] act = new byte[(int) kernels.actBytes(cols, batch)];
            kernels.quantize(level, MemorySegment.ofArray(x), 1, cols, batch, MemorySegment.ofArray(act));
            assertThat(act).as("level %d", level).containsExactly(expected);
        }
    }

    /** The layout documented at canopy_quantize, computed in Java. */
    private static byte[] expectedLayout(float[] x, int xOffset, int cols, int batch) {
        int pairs = (cols / 32 + 1) / 2;
        MemorySegment out = MemorySegment.ofArray(new byte[pairs * 192 * batch]);
        for (int b = 0; b < batch; b++) {
            for (int j = 0; j < cols / 32; j++) {
                long pair = (long) (b * pairs + j / 2) * 192;
                int half = j % 2;
                float amax = 0;
                for (int i = 0; i < 32; i++) {
                    amax = Math.max(amax, Math.abs(x[xOffset + b * cols + j * 32 + i]));
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
