package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DequantTest {

    @Test
    void fp16MatchesTheJdkConversionForEveryBitPattern() {
        for (int bits = 0; bits < 0x10000; bits++) {
            float expected = Float.float16ToFloat((short) bits);
            float actual = Dequant.fp16ToFloat((short) bits);
            if (Float.isNaN(expected)) {
                assertThat(actual).isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(actual)).as("fp16 bits %04x", bits)
                        .isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
    }

    @Test
    void bf16IsTheUpperHalfOfAFloat() {
        assertThat(Dequant.bf16ToFloat((short) 0x3F80)).isEqualTo(1.0f);
        assertThat(Dequant.bf16ToFloat((short) 0xC040)).isEqualTo(-3.0f);
        assertThat(Dequant.bf16ToFloat((short) 0x0000)).isEqualTo(0.0f);
    }

    @Test
    void q8ZeroBlockIsScaleTimesSignedBytes() {
        byte[] block = new byte[34];
        block[0] = 0x00; // fp16 0.5 = 0x3800, little-endian
        block[1] = 0x38;
        for (int j = 0; j < 32; j++) {
            block[2 + j] = (byte) (j - 16);
        }
        float[] out = new float[32];
        Dequant.row(tensor(GgmlType.Q8_0, 32, block), 0, out, 0);
        for (int j = 0; j < 32; j++) {
            assertThat(out[j]).isEqualTo(0.5f * (j - 16));
        }
    }

    @Test
    void q4ZeroBlockSplitsNibblesIntoTheTwoHalves() {
        byte[] block = new byte[18];
        block[0] = 0x00; // fp16 2.0 = 0x4000
        block[1] = 0x40;
        for (int j = 0; j < 16; j++) {
            block[2 + j] = (byte) (j | (15 - j) << 4);
        }
        float[] out = new float[33];
        Dequant.row(tensor(GgmlType.Q4_0, 32, block), 0, out, 1);
        for (int j = 0; j < 16; j++) {
            assertThat(out[1 + j]).isEqualTo(2f * (j - 8));
            assertThat(out[1 + j + 16]).isEqualTo(2f * (15 - j - 8));
        }
    }

    @Test
    void decodesEncodedValuesOfEveryTypeWithinTheirPrecision() {
        float[] values = TestTensors.randomValues(new Random(1), 3 * 64);
        assertDecodes(GgmlType.F32, values, 0);
        assertDecodes(GgmlType.F16, values, 4e-3f);
        assertDecodes(GgmlType.BF16, values, 3e-2f);
        assertDecodes(GgmlType.Q8_0, values, 4f / 127);
        assertDecodes(GgmlType.Q4_0, values, 4f / 7);
    }

    @Test
    void rejectsUnsupportedTypesAndRows() {
        Tensor q3k = new Tensor("w", GgmlType.Q3_K, new long[] {256, 1}, MemorySegment.ofArray(new byte[110]));
        assertThatThrownBy(() -> Dequant.toFloats(q3k))
                .hasMessage("Cannot decode w Q3_K [256, 1]: type Q3_K is not supported (supported: F32, F16, BF16, Q8_0, "
                        + "Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, MXFP4)");
        Tensor f32 = tensor(GgmlType.F32, 1, new byte[4]);
        assertThatThrownBy(() -> Dequant.row(f32, 1, new float[1], 0))
                .hasMessage("Cannot decode row 1 of w F32 [1, 1]: it has 1 rows");
    }

    private static void assertDecodes(GgmlType type, float[] values, float tolerance) {
        Tensor t = TestTensors.matrix(type, 3, 64, values);
        float[] decoded = Dequant.toFloats(t);
        for (int i = 0; i < values.length; i++) {
            assertThat(decoded[i]).as("%s element %d", type, i).isCloseTo(values[i], within(tolerance));
        }
    }

    private static Tensor tensor(GgmlType type, int cols, byte[] bytes) {
        return new Tensor("w", type, new long[] {cols, 1}, MemorySegment.ofArray(bytes));
    }
}
