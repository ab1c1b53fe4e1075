package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Q4_K, Q5_K and Q6_K weights packed 8 rows at a time (the levels that pack them on x86) give exactly the products of
 * the same level's kernels on the GGUF layout, at every batch size, row count and thread count, and are packed
 * once per tensor.
 */
class PackedWeightsTest {

    static Stream<Arguments> levelsAndTypes() {
        List<Arguments> cases = new ArrayList<>();
        for (int level = 0; level <= 2; level++) {
            for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K}) {
                cases.add(Arguments.of(level, type));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "level {0} {1}")
    @MethodSource("levelsAndTypes")
    void packedProductsEqualTheGgufLayoutsBitForBit(int level, GgmlType type) {
        NativeKernels kernels = NativeKernelsUnderTest.loadOrSkip();
        assumeTrue(level <= kernels.level(), () -> "this CPU cannot run level " + level);
        int cols = 512;
        for (int rows : new int[] {3, 8, 37, 64}) {
            Tensor w = QuantMatMulTest.matrix(type, rows, cols, rows * 7L + level); // unaligned, off-heap
            for (int batch : new int[] {1, 3, 6}) {
                float[] x = TestTensors.randomValues(new Random(rows + batch), batch * cols);
                float[] inPlace = inPlace(kernels, level, w, x, batch);
                for (int threads = 1; threads <= 2; threads++) {
                    try (Parallel parallel = new Parallel(threads)) {
                        MatMul matMul = MatMul.nativeAtLevel(parallel, level);
                        float[] out = new float[batch * rows];
                        matMul.apply(w, x, batch, out);
                        assertThat(Arrays.equals(out, inPlace))
                                .as("level %d %s %dx%d batch %d threads %d", level, type, rows, cols, batch, threads)
                                .isTrue();
                        long expectedPacked = kernels.packedBytes(level, type.id(), rows, cols);
                        assertThat(matMul.packedWeightBytes()).isEqualTo(expectedPacked);
                        matMul.apply(w, x, batch, out); // the second product reuses the packed copy
                        assertThat(matMul.packedWeightBytes()).isEqualTo(expectedPacked);
                        matMul.close();
                        assertThat(matMul.packedWeightBytes()).isZero();
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "level {0} {1}")
    @MethodSource("levelsAndTypes")
    void theLevelsThatPackAreTheX86KernelsWhoseIntegersMatch(int level, GgmlType type) {
        NativeKernels kernels = NativeKernelsUnderTest.loadOrSkip();
        assumeTrue(level <= kernels.level(), () -> "this CPU cannot run level " + level);
        boolean x86 = !NativeKernels.PLATFORM.endsWith("aarch64");
        // Q4_K, Q5_K at AVX2 and AVX-512; Q6_K at AVX2 only (AVX-512's Q6_K computes in float per block: packing
        // would change its outputs); never the portable C level
        boolean packs = x86 && (type == GgmlType.Q6_K ? level == 1 : level >= 1);
        long perTileAndSuperBlock = type == GgmlType.Q4_K ? 8 * 144 + 32 : type == GgmlType.Q5_K ? 8 * 176 + 32 : 8 * 210;
        long bytes = kernels.packedBytes(level, type.id(), 19, 512);
        assertThat(bytes).isEqualTo(packs ? 3L * 2 * perTileAndSuperBlock : 0);
    }

    @org.junit.jupiter.api.Test
    void theSystemPropertyKeepsWeightsInPlaceWithTheSameProducts() {
        NativeKernels kernels = NativeKernelsUnderTest.loadOrSkip();
        int level = kernels.level();
        assumeTrue(kernels.packedBytes(level, GgmlType.Q4_K.id(), 16, 512) > 0, "this CPU's best level packs no Q4_K");
        Tensor w = QuantMatMulTest.matrix(GgmlType.Q4_K, 16, 512, 5);
        float[] x = TestTensors.randomValues(new Random(3), 512);
        String before = System.getProperty(NativeMatMul.PACK_PROPERTY);
        System.setProperty(NativeMatMul.PACK_PROPERTY, "false");
        try (Parallel parallel = new Parallel(1)) {
            MatMul matMul = MatMul.nativeAtLevel(parallel, level);
            float[] out = new float[16];
            matMul.apply(w, x, 1, out);
            assertThat(matMul.packedWeightBytes()).isZero();
            assertThat(Arrays.equals(out, inPlace(kernels, level, w, x, 1))).isTrue();
        } finally {
            if (before == null) {
                System.clearProperty(NativeMatMul.PACK_PROPERTY);
            } else {
                System.setProperty(NativeMatMul.PACK_PROPERTY, before);
            }
        }
    }

    /** The product from the GGUF layout, through the kernels directly. */
    private static float[] inPlace(NativeKernels kernels, int level, Tensor w, float[] x, int batch) {
        int cols = w.cols();
        int rows = w.rows();
        MemorySegment act = MemorySegment.ofArray(new byte[Math.toIntExact(kernels.actBytes(cols, batch))]);
        kernels.quantize(level, MemorySegment.ofArray(x), 0, cols, batch, kernels.actGroup(w.type().id()), act);
        float[] out = new float[batch * rows];
        kernels.matmulQuant(level, w.type().id(), w.data(), rows, cols, act, batch, MemorySegment.ofArray(out), 0, 0,
                rows);
        return out;
    }
}
