package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.kv.KvStorage;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Attention over a quantized KV cache stays close to attention over the F32 cache holding the same keys and values
 * (Gaussian keys, values and queries: max |difference| of the output under 0.02 for 8-bit and 0.15 for 4-bit KV),
 * and a query's result does not depend on the other queries of its group.
 */
class QuantizedAttentionTest {

    private static final int BS = 4;
    private static final int POSITIONS = 23; // 5 full blocks and one of 3 tokens being filled
    private static final int[] TABLE = {5, 2, 9, 11, 0, 7};

    @ParameterizedTest
    @CsvSource({"Q8, 16, 0.02", "Q8, 64, 0.02", "Q4, 16, 0.15", "Q4, 64, 0.15"})
    void quantizedAttentionStaysCloseToF32AndIsTheSameInAnyGroup(KvCacheType type, int headDim, double tolerance) {
        ModelConfig c = new ModelConfig("llama", headDim * 2, 1, 2, 2, headDim, 8, 16, 64, 1e-5f, 10000f, headDim,
                RopeStyle.NORMAL, false);
        Random rnd = new Random(headDim);
        try (KvStorage f32 = KvStorage.open(c, KvCacheType.F32, 16, BS);
             KvStorage quantized = KvStorage.open(c, type, 16, BS)) {
            for (int p = 0; p < POSITIONS; p++) {
                float[] k = gaussian(rnd, c.kvDim());
                float[] v = gaussian(rnd, c.kvDim());
                f32.write(0, TABLE[p / BS], p % BS, k, 0, v, 0);
                quantized.write(0, TABLE[p / BS], p % BS, k, 0, v, 0);
            }
            int qDim = c.qDim();
            float[] q = gaussian(rnd, 2 * qDim); // two query rows; their head 1 is attended (KV head 1)
            Attention attention = new Attention(headDim, true);
            int[] lastPos = {POSITIONS - 1, POSITIONS - 6}; // the second query ends inside a full block
            for (int row = 0; row < 2; row++) {
                float[] exact = new float[2 * qDim];
                float[] approx = new float[2 * qDim];
                int[] base = {row * qDim};
                attention.attendGroup(q, base, new int[] {lastPos[row]}, new int[][] {TABLE}, f32, 0, 1, 2, 1, exact);
                attention.attendGroup(q, base, new int[] {lastPos[row]}, new int[][] {TABLE}, quantized, 0, 1, 2, 1,
                        approx);
                int from = row * qDim + headDim;
                double maxDiff = 0;
                for (int d = from; d < from + headDim; d++) {
                    maxDiff = Math.max(maxDiff, Math.abs(exact[d] - approx[d]));
                }
                System.out.printf("attention %s headDim %d query %d: max |F32 - %s| = %.5f%n", type, headDim, row,
                        type.label(), maxDiff);
                assertThat(maxDiff).as(type + " query " + row).isLessThan(tolerance).isGreaterThan(0);
                float[] grouped = new float[2 * qDim];
                attention.attendGroup(q, new int[] {0, qDim}, lastPos, new int[][] {TABLE, TABLE}, quantized, 0, 1, 2, 1,
                        grouped);
                for (int d = from; d < from + headDim; d++) {
                    assertThat(grouped[d]).isEqualTo(approx[d]);
                }
            }
        }
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
