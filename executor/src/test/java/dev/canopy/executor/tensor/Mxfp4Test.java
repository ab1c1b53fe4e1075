package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/**
 * MXFP4 blocks decode as the OCP Microscaling spec (v1.0) defines them: E2M1 element
 * (−1)^s · 2^(E−1) · (1 + M/2) for E > 0, (−1)^s · M/2 for E = 0, times the E8M0 scale 2^(e−127).
 */
class Mxfp4Test {

    /** The spec's formula, written from its definition, for code {@code c} (sign bit 3, exponent bits 1-2, mantissa bit 0). */
    private static double e2m1(int c) {
        int s = c >> 3 & 1;
        int e = c >> 1 & 3;
        int m = c & 1;
        double magnitude = e == 0 ? m / 2.0 : Math.pow(2, e - 1) * (1 + m / 2.0);
        return s == 1 ? -magnitude : magnitude;
    }

    /**
     * Code c at scale 2^(e−127) as a float: beyond float's range it is infinite (as ggml decodes it), and −0
     * (code 8) is +0, as ggml decodes it.
     */
    private static float spec(int c, int e) {
        return (float) (e2m1(c) * Math.pow(2, e - 127)) + 0f;
    }

    @Test
    void everyCodeAtEveryScaleIsTheSpecsValue() {
        for (int e = 0; e < 256; e++) {
            byte[] block = new byte[17];
            block[0] = (byte) e;
            for (int j = 0; j < 16; j++) {
                block[1 + j] = (byte) (j | (15 - j) << 4); // value j holds code j, value j+16 code 15-j
            }
            float[] out = decode(block, 32);
            for (int j = 0; j < 16; j++) {
                assertThat(out[j]).as("e %d code %d", e, j).isEqualTo(spec(j, e));
                assertThat(out[16 + j]).as("e %d code %d", e, 15 - j).isEqualTo(spec(15 - j, e));
            }
        }
    }

    @Test
    void valuesOnTheGridEncodeExactlyWithTheBlockMaximumsExponent() {
        float[] x = new float[64]; // two blocks
        for (int i = 0; i < 32; i++) {
            x[i] = spec(i % 16, 125); // block max 6 * 0.25 = 1.5: e = floor(log2 1.5) - 2 + 127 = 125
            x[32 + i] = spec(15 - i % 16, 137); // block max 6 * 1024 = 2^12.58: e = 12 - 2 + 127
        }
        byte[] bytes = Quantizer.quantize(GgmlType.MXFP4, x);
        assertThat(bytes).hasSize(34);
        assertThat(bytes[0] & 0xFF).isEqualTo(125);
        assertThat(bytes[17] & 0xFF).isEqualTo(137);
        assertThat(decode(bytes, 64)).containsExactly(x);
    }

    @Test
    void anAllZeroBlockHasExponentZeroAndDecodesToZeros() {
        byte[] bytes = Quantizer.quantize(GgmlType.MXFP4, new float[32]);
        assertThat(bytes[0]).isZero();
        assertThat(decode(bytes, 32)).containsOnly(0f);
    }

    private static float[] decode(byte[] bytes, int cols) {
        return Dequant.toFloats(new Tensor("mxfp4", GgmlType.MXFP4, new long[] {cols}, MemorySegment.ofArray(bytes)));
    }
}
