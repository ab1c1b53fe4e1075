package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quantize → dequantize error of every block type, against the bounds this class states.
 *
 * <p>Per value, for the 32-value formats (derived: half a step, the clamped extreme, plus the fp16
 * rounding of the scale and min, relative error ≤ 2⁻¹¹):
 * <ul>
 *   <li>Q8_0: |e| ≤ amax/254 + amax/2000 (amax = the block's largest magnitude)
 *   <li>Q4_0: |e| ≤ 1.01·amax/8 (the value opposite the largest one clamps to level 15)
 *   <li>Q5_0: |e| ≤ 1.01·amax/16
 *   <li>Q4_1: |e| ≤ 0.51·(max − min)/15 + |min|/2000
 *   <li>Q5_1: |e| ≤ 0.52·(max − min)/31 + |min|/2000
 * </ul>
 * For the K-quants the sub-block scales are fitted and then quantized to 6 or 8 bits, so the bound is
 * stated against the super-block's largest magnitude: |e| ≤ amax/9 (Q4_K), amax/18 (Q5_K),
 * amax/50 (Q6_K) (the worst seen on 20 × 16,384 such values: amax/10.6, amax/21.3, amax/62).
 *
 * <p>Root-mean-square error relative to the data's RMS, on Gaussian data with 1 % outliers ×5:
 * Q8_0 ≤ 0.008, Q6_K ≤ 0.024, Q5_K ≤ 0.045, Q5_1 ≤ 0.046, Q5_0 ≤ 0.06, Q4_K ≤ 0.088, Q4_1 ≤ 0.095,
 * Q4_0 ≤ 0.12 (measured: 0.0070, 0.0217, 0.0411, 0.0425, 0.0557, 0.0810, 0.0876, 0.111; on uniform
 * data in [−1, 1): 0.0038, 0.0132, 0.0276, 0.0293, 0.0312, 0.0546, 0.0608, 0.0651).
 */
class QuantRoundTripTest {

    private static final int N = 256 * 64;

    static Stream<Arguments> bounds() {
        return Stream.of(
                Arguments.of(GgmlType.Q8_0, 0.008),
                Arguments.of(GgmlType.Q4_0, 0.12),
                Arguments.of(GgmlType.Q4_1, 0.095),
                Arguments.of(GgmlType.Q5_0, 0.06),
                Arguments.of(GgmlType.Q5_1, 0.046),
                Arguments.of(GgmlType.Q4_K, 0.088),
                Arguments.of(GgmlType.Q5_K, 0.045),
                Arguments.of(GgmlType.Q6_K, 0.024));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bounds")
    void everyValueIsWithinItsBoundAndTheRmsErrorIsSmall(GgmlType type, double relativeRms) {
        float[] x = gaussianWithOutliers(new Random(type.ordinal()), N);
        float[] y = roundTrip(type, x);
        double err2 = 0;
        double x2 = 0;
        int block = type.blockSize();
        for (int b = 0; b < N / block; b++) {
            double bound = perValueBound(type, x, b * block, block);
            for (int i = b * block; i < (b + 1) * block; i++) {
                assertThat((double) Math.abs(y[i] - x[i])).as("%s value %d: %f → %f", type, i, x[i], y[i])
                        .isLessThanOrEqualTo(bound);
                err2 += (double) (y[i] - x[i]) * (y[i] - x[i]);
                x2 += (double) x[i] * x[i];
            }
        }
        assertThat(Math.sqrt(err2 / x2)).as("%s relative RMS error", type).isLessThanOrEqualTo(relativeRms);
    }

    @Test
    void zerosStayZeroInEveryType() {
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K,
                GgmlType.Q6_K}) {
            for (float v : roundTrip(type, new float[256])) {
                assertThat(v == 0f).as("%s gives %s for 0", type, v).isTrue();
            }
        }
    }

    @Test
    void aConstantRowIsKeptWithinHalfAPercent() {
        float[] x = new float[256];
        java.util.Arrays.fill(x, 0.8f);
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_1, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K}) {
            for (float v : roundTrip(type, x)) {
                assertThat(v).as("%s", type).isCloseTo(0.8f, org.assertj.core.api.Assertions.within(0.004f));
            }
        }
    }

    private static double perValueBound(GgmlType type, float[] x, int from, int n) {
        double amax = 0;
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (int i = from; i < from + n; i++) {
            amax = Math.max(amax, Math.abs(x[i]));
            min = Math.min(min, x[i]);
            max = Math.max(max, x[i]);
        }
        return switch (type) {
            case Q8_0 -> amax / 254 + amax / 2000;
            case Q4_0 -> 1.01 * amax / 8;
            case Q5_0 -> 1.01 * amax / 16;
            case Q4_1 -> 0.51 * (max - min) / 15 + Math.abs(min) / 2000;
            case Q5_1 -> 0.52 * (max - min) / 31 + Math.abs(min) / 2000;
            case Q4_K -> amax / 9;
            case Q5_K -> amax / 18;
            case Q6_K -> amax / 50;
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    static float[] roundTrip(GgmlType type, float[] x) {
        byte[] bytes = Quantizer.quantize(type, x);
        return Dequant.toFloats(new Tensor("t", type, new long[] {x.length}, MemorySegment.ofArray(bytes)));
    }

    static float[] gaussianWithOutliers(Random random, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian() * (random.nextInt(100) == 0 ? 5 : 1);
        }
        return x;
    }
}
