package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.tensor.GgmlType;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The fatbin built by nvcc holds Hopper machine code for every kernel the backend launches. */
class CudaModuleContentsTest {

    @Test
    void theFatbinHoldsSm90CodeForEveryKernelTheBackendLaunches() {
        Assumptions.assumeTrue(CudaModule.class.getResource(CudaModule.FATBIN_RESOURCE) != null,
                "the CUDA kernels were not built (nvcc was not found at build time)");
        String fatbin = new String(CudaModule.fatbin(), StandardCharsets.ISO_8859_1);
        assertThat(ForwardKernels.kernelNames()).hasSize(6 + 2 + 8 + 2 * 2 * (3 * 2 + 2 + 3) + 2 * 2 * 2);
        for (String kernel : ForwardKernels.kernelNames()) {
            assertThat(fatbin).as("machine code of kernel %s", kernel).contains(".text." + kernel + "\0");
        }
        assertThat(fatbin).as("sm_90 target").contains("sm_90");
    }

    @Test
    void matmulKernelsAreChosenByTypeAndAlignmentAndRowTile() {
        assertThat(ForwardKernels.kernelName("matmul", layout(GgmlType.F32, 172), 8)).isEqualTo("matmul_f32_c4_r8");
        assertThat(ForwardKernels.kernelName("matmul", layout(GgmlType.F16, 170), 1)).isEqualTo("matmul_f16_c1_r1");
        assertThat(ForwardKernels.kernelName("swiglu", layout(GgmlType.Q8_0, 64), 8)).isEqualTo("swiglu_q8_0_c16_r8");
        assertThat(ForwardKernels.kernelName("matmul", layout(GgmlType.Q4_0, 64), 1)).isEqualTo("matmul_q4_0_c32_r1");
        assertThat(ForwardKernels.kernelName("matmul", layout(GgmlType.Q6_K, 256), 8)).isEqualTo("matmul_q6_k_c32_r8");
        assertThat(ForwardKernels.tensorCoreKernel("swiglu", GgmlType.Q4_0, 4)).isEqualTo("swiglu_tc_q4_0_n4");
    }

    private static WeightLayout layout(GgmlType type, int cols) {
        return new WeightLayout(type, 64, cols, 0, 0);
    }
}
