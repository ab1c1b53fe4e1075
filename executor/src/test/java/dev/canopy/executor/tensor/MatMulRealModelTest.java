package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufFile;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** MatMul on tensors of the real stories260K files: memory-mapped, unaligned, Q8_0, F16 and F32. */
class MatMulRealModelTest {

    @Test
    void everyBackendAgreesWithTheReferenceOnTheModelsWeights() {
        try (GgufFile q8 = GgufFile.open(TestModels.stories260kQ8());
                GgufFile f32 = GgufFile.open(TestModels.stories260kF32());
                Parallel parallel = new Parallel(2)) {
            Tensor[] weights = {q8.tensor("blk.0.attn_q.weight"), q8.tensor("blk.0.ffn_down.weight"),
                f32.tensor("blk.0.ffn_gate.weight")};
            assertThat(weights).extracting(Tensor::type).containsExactly(GgmlType.Q8_0, GgmlType.F16, GgmlType.F32);
            for (TestBackend backend : TestBackend.values()) {
                if (backend != TestBackend.JAVA && !NativeKernelsUnderTest.loaded()) {
                    continue;
                }
                MatMul matMul = backend.create(parallel);
                for (Tensor w : weights) {
                    int batch = 3;
                    float[] x = TestTensors.randomValues(new Random(5), batch * w.cols());
                    float[] out = new float[batch * w.rows()];
                    float[] expected = new float[batch * w.rows()];
                    matMul.apply(w, x, batch, out);
                    ReferenceMatMul.apply(w, x, 0, batch, expected, 0);
                    float[] decoded = Dequant.toFloats(w);
                    for (int b = 0; b < batch; b++) {
                        for (int r = 0; r < w.rows(); r++) {
                            double bound = MatMulTest.bound(decoded, r, w.cols(), x, b * w.cols(),
                                    backend.quantizesActivations() && w.type().quantized()
                                            ? MatMulTest.activationValuesPerScale(w.type()) : 0);
                            assertThat((double) out[b * w.rows() + r]).as("%s %s [%d][%d]", backend, w, b, r)
                                    .isCloseTo(expected[b * w.rows() + r], within(bound));
                        }
                    }
                }
            }
        }
    }

    @Test
    void rejectsUnsupportedTypesAndShortBuffers() {
        try (Parallel parallel = new Parallel(1)) {
            MatMul matMul = new MatMul(parallel, KernelChoice.AUTO);
            Tensor q3k = new Tensor("w", GgmlType.Q3_K, new long[] {256, 2}, MemorySegment.ofArray(new byte[220]));
            assertThatThrownBy(() -> matMul.apply(q3k, new float[256], 1, new float[2]))
                    .hasMessage("Cannot multiply by w Q3_K [256, 2]: type Q3_K is not supported (supported: F32, F16, BF16, "
                            + "Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, MXFP4)");
            Tensor truncated = new Tensor("w", GgmlType.F32, new long[] {4, 2}, MemorySegment.ofArray(new byte[16]));
            assertThatThrownBy(() -> matMul.apply(truncated, new float[4], 1, new float[2]))
                    .hasMessage("Cannot multiply by w F32 [4, 2]: its data has 16 bytes, the shape needs 32");
            Tensor f32 = TestTensors.randomMatrix(GgmlType.F32, 2, 4, 1);
            assertThatThrownBy(() -> matMul.apply(f32, new float[7], 2, new float[4]))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> matMul.apply(f32, new float[8], 2, new float[3]))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void autoPicksTheNativeKernelsWhereTheyLoaded() {
        try (Parallel parallel = new Parallel(1)) {
            KernelChoice expected = NativeKernels.load().isPresent() ? KernelChoice.NATIVE : KernelChoice.JAVA;
            assertThat(new MatMul(parallel, KernelChoice.AUTO).backend()).isEqualTo(expected);
            assertThat(new MatMul(parallel, KernelChoice.JAVA).backend()).isEqualTo(KernelChoice.JAVA);
        }
    }
}
