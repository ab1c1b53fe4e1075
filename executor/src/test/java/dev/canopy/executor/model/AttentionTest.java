package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.kv.KvStorage;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The vectorized attention agrees with its scalar reference and with a direct softmax computation. */
class AttentionTest {

    @ParameterizedTest
    @ValueSource(ints = {8, 16, 64, 128})
    void vectorizedScalarAndDirectSoftmaxAgree(int headDim) {
        ModelConfig c = new ModelConfig("llama", headDim * 2, 1, 2, 2, headDim, 8, 16, 64, 1e-5f, 10000f, headDim,
                RopeStyle.NORMAL, false);
        int bs = 4;
        Random rnd = new Random(headDim);
        try (KvStorage kv = KvStorage.open(c, KvCacheType.F32, 16, bs)) {
            int positions = 23;
            int[] table = {5, 2, 9, 11, 0, 7};
            float[][] k = new float[positions][c.kvDim()];
            float[][] v = new float[positions][c.kvDim()];
            for (int p = 0; p < positions; p++) {
                for (int i = 0; i < c.kvDim(); i++) {
                    k[p][i] = (float) rnd.nextGaussian();
                    v[p][i] = (float) rnd.nextGaussian();
                }
                kv.write(0, table[p / bs], p % bs, k[p], 0, v[p], 0);
            }
            float[] q = new float[c.qDim()]; // (qDim): both heads; head kvHead is attended
            for (int i = 0; i < q.length; i++) {
                q[i] = (float) rnd.nextGaussian();
            }
            int kvHead = 1;
            float[] vec = new float[c.qDim()];
            float[] scalar = new float[c.qDim()];
            new Attention(headDim, true).attendGroup(q, new int[] {0}, new int[] {positions - 1},
                    new int[][] {table}, kv, 0, kvHead, kvHead + 1, 1, vec);
            new Attention(headDim, false).attendGroup(q, new int[] {0}, new int[] {positions - 1},
                    new int[][] {table}, kv, 0, kvHead, kvHead + 1, 1, scalar);
            double[] s = new double[positions];
            double max = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < positions; p++) {
                for (int i = 0; i < headDim; i++) {
                    s[p] += q[kvHead * headDim + i] * k[p][kvHead * headDim + i];
                }
                s[p] /= Math.sqrt(headDim);
                max = Math.max(max, s[p]);
            }
            double sum = 0;
            for (int p = 0; p < positions; p++) {
                sum += Math.exp(s[p] - max);
            }
            for (int i = 0; i < headDim; i++) {
                double expected = 0;
                for (int p = 0; p < positions; p++) {
                    expected += Math.exp(s[p] - max) / sum * v[p][kvHead * headDim + i];
                }
                assertThat((double) vec[kvHead * headDim + i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
                assertThat((double) scalar[kvHead * headDim + i]).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }
}
