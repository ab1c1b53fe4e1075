package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.kv.KvStorage;
import dev.canopy.executor.tensor.KernelChoice;
import dev.canopy.executor.tensor.MatMul;
import dev.canopy.executor.tensor.NativeAttention;
import dev.canopy.executor.tensor.NativeKernelsUnderTest;
import dev.canopy.executor.tensor.Parallel;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The C attention gives the Java attention's outputs bit for bit, at every code level this CPU runs and at each
 * lane width the Java code picks (16 or 8 lanes by the JVM's vector size and the head size, 1 for its scalar
 * path): groups of queries sharing prefix blocks, partial blocks, grouped-query heads, a head range, sliding
 * windows (the blocks before a query's window freed, -1, as a sliding-window cache leaves them) and attention sinks.
 */
class NativeAttentionTest {

    @ParameterizedTest(name = "heads of {0}, blocks of {1}, group {2}, window {3}, sinks {4}")
    @CsvSource({
            "64, 16, 1, 2147483647, false",
            "64, 5, 2, 2147483647, false",
            "128, 16, 4, 2147483647, true",
            "40, 16, 2, 2147483647, false", // 8 lanes wherever the JVM has 512-bit vectors too
            "40, 7, 1, 19, true",
            "64, 16, 2, 21, true",
            "36, 4, 2, 2147483647, false", // not a multiple of 8: the scalar path
            "16, 3, 1, 9, false"})
    void nativeAttentionMatchesJavaBitForBit(int headDim, int bs, int groupSize, int window, boolean sinks) {
        assumeTrue(NativeKernelsUnderTest.loaded(), "native kernels not loaded");
        int kvHeads = 2;
        int heads = kvHeads * groupSize;
        ModelConfig c = new ModelConfig("llama", heads * headDim, 1, heads, kvHeads, headDim, 64, 8, 256, 1e-5f,
                10000f, headDim, RopeStyle.NORMAL, false);
        Random rnd = new Random(headDim * 31L + bs);
        int blocks = 24;
        try (KvStorage kv = KvStorage.open(c, KvCacheType.F32, blocks, bs);
             Parallel parallel = new Parallel(1)) {
            // two sequences sharing their first two blocks, as a prefix group does, and one of its own
            int[][] seqTables = {{3, 7, 1, 12, 9, 20, 2, 15}, {3, 7, 4, 0, 18, 5, 11, 22}, {6, 10, 8, 13, 14, 16, 17, 19}};
            float[] k = new float[c.kvDim()]; // (kvDim)
            float[] v = new float[c.kvDim()]; // (kvDim)
            for (int[] table : seqTables) {
                for (int p = 0; p < table.length * bs; p++) {
                    for (int i = 0; i < c.kvDim(); i++) {
                        k[i] = (float) rnd.nextGaussian();
                        v[i] = (float) rnd.nextGaussian() * 2;
                    }
                    kv.write(0, table[p / bs], p % bs, k, 0, v, 0);
                }
            }
            int[] lastPos = {2 * bs - 1, 5 * bs + 2, 3 * bs, 7 * bs + bs - 2, 0, 4 * bs + 1}; // full and partial blocks
            int[] seqOf = {0, 1, 0, 2, 1, 2};
            int[][] tables = new int[lastPos.length][];
            int[] qBase = new int[lastPos.length];
            for (int i = 0; i < lastPos.length; i++) {
                tables[i] = seqTables[seqOf[i]].clone();
                qBase[i] = i * c.qDim();
                long firstPos = Math.max(0L, (long) lastPos[i] - window + 1);
                for (int b = 0; b < firstPos / bs; b++) {
                    tables[i][b] = -1; // blocks before the window, freed by a sliding-window cache
                }
            }
            float[] q = new float[lastPos.length * c.qDim()]; // (queries, qDim)
            for (int i = 0; i < q.length; i++) {
                q[i] = (float) rnd.nextGaussian() * 1.5f;
            }
            float[] sinkLogits = null;
            if (sinks) {
                sinkLogits = new float[heads];
                for (int h = 0; h < heads; h++) {
                    sinkLogits[h] = (float) rnd.nextGaussian() * 2;
                }
            }
            int best = NativeAttention.of(new MatMul(parallel, KernelChoice.NATIVE)).orElseThrow().level();
            double scale = 1 / Math.sqrt(headDim);
            for (boolean vectorized : new boolean[] {true, false}) {
                float[] expected = new float[q.length];
                new Attention(headDim, vectorized, 0f, scale, null).attendGroup(q, qBase, lastPos, tables, kv, 0,
                        0, heads, groupSize, window, sinkLogits, expected);
                float[] part = new float[q.length]; // a head range and a group of one: the same bits
                new Attention(headDim, vectorized, 0f, scale, null).attendGroup(q, new int[] {qBase[1]},
                        new int[] {lastPos[1]}, new int[][] {tables[1]}, kv, 0, 1, heads, groupSize, window,
                        sinkLogits, part);
                for (int level = 0; level <= best; level++) {
                    Attention nativeAttention = new Attention(headDim, vectorized, 0f, scale,
                            NativeAttention.atLevel(level));
                    float[] actual = new float[q.length];
                    nativeAttention.attendGroup(q, qBase, lastPos, tables, kv, 0, 0, heads, groupSize, window,
                            sinkLogits, actual);
                    assertArrayEquals(expected, actual, "level " + level + ", vectorized " + vectorized);
                    float[] actualPart = new float[q.length];
                    nativeAttention.attendGroup(q, new int[] {qBase[1]}, new int[] {lastPos[1]},
                            new int[][] {tables[1]}, kv, 0, 1, heads, groupSize, window, sinkLogits, actualPart);
                    assertArrayEquals(part, actualPart, "one query, heads 1.., level " + level);
                }
            }
        }
    }

    @Test
    void backendsSayWhereAttentionRuns() {
        assumeTrue(NativeKernelsUnderTest.loaded(), "native kernels not loaded");
        try (Model model = Model.load(TestModels.stories260kF32());
             CpuBackend nativeF32 = new CpuBackend(model, 1, KernelChoice.NATIVE, 8, 16);
             CpuBackend nativeQ8 = new CpuBackend(model, 1, KernelChoice.NATIVE, 8, 16, KvCacheType.Q8);
             CpuBackend java = new CpuBackend(model, 1, KernelChoice.JAVA, 8, 16)) {
            assertThat(nativeF32.attentionPath()).startsWith("native ").endsWith(", 8 lanes"); // heads of 8
            assertThat(nativeQ8.attentionPath()).isEqualTo("Java Vector API, 8 lanes");
            assertThat(java.attentionPath()).isEqualTo("Java Vector API, 8 lanes");
        }
    }

    @Test
    void aBlockOutsideTheCacheIsRefusedBeforeTheNativeCodeReadsIt() {
        assumeTrue(NativeKernelsUnderTest.loaded(), "native kernels not loaded");
        int headDim = 16;
        int bs = 4;
        float[] keys = new float[3 * bs * headDim]; // 3 blocks, one KV head
        float[] q = new float[headDim];
        float[] out = new float[headDim];
        NativeAttention attention = NativeAttention.atLevel(0);
        assertThatThrownBy(() -> attention.attend(8, headDim, 0.25f, q, new int[] {0}, new int[] {5}, new int[] {0, 3},
                new int[] {0}, keys, keys.clone(), headDim, bs, 0, 1, 1, Integer.MAX_VALUE, null, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("names block 3, outside the layer's 3 blocks");
        assertThatThrownBy(() -> attention.attend(8, headDim, 0.25f, q, new int[] {8}, new int[] {5}, new int[] {0, 1},
                new int[] {0}, keys, keys.clone(), headDim, bs, 0, 1, 1, Integer.MAX_VALUE, null, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("outside the arrays");
    }
}
