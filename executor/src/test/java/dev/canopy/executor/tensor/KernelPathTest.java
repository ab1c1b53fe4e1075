package dev.canopy.executor.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/** Choosing a kernel path with --kernels: names, forcing a narrower path, refusing a wider one. */
class KernelPathTest {

    @Test
    void everyBackendIsFoundByItsCommandLineNameAndItsConstantName() {
        for (KernelChoice k : KernelChoice.values()) {
            assertThat(KernelChoice.fromName(k.cliName())).contains(k);
            assertThat(KernelChoice.fromName(k.name())).contains(k);
        }
        assertThat(KernelChoice.fromName("avx3")).isEmpty();
    }

    @Test
    void forcingANarrowerPathMultipliesWithIt() {
        NativeKernels kernels = requireLevel(1);
        try (Parallel parallel = new Parallel(1)) {
            assertThat(new MatMul(parallel, KernelChoice.NATIVE_AVX2).kernelPath()).isEqualTo("native AVX2");
            assertThat(new MatMul(parallel, KernelChoice.NATIVE_C).kernelPath()).isEqualTo("native portable C");
            assertThat(new MatMul(parallel, KernelChoice.NATIVE).kernelPath())
                    .isEqualTo(KernelPath.nativeName(kernels.level()));
            assertThat(KernelPath.describe(KernelChoice.NATIVE_AVX2)).isEqualTo("native AVX2");
            assertThat(new MatMul(parallel, KernelChoice.JAVA).kernelPath()).startsWith("Java Vector API (");
        }
    }

    @Test
    void forcingAPathTheCpuLacksFailsNamingTheBestItHas() {
        NativeKernels kernels = requireLevel(0);
        assumeTrue(kernels.level() < 2, "this CPU runs every path");
        try (Parallel parallel = new Parallel(1)) {
            assertThatThrownBy(() -> new MatMul(parallel, KernelChoice.NATIVE_AVX512))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("--kernels native-avx512")
                    .hasMessageContaining(KernelPath.nativeName(kernels.level()));
        }
    }

    @Test
    void theCpuModelIsNamed() {
        assertThat(KernelPath.cpuModel()).isNotBlank();
    }

    private static NativeKernels requireLevel(int level) {
        assumeTrue(NativeKernels.load().isPresent(), () -> "native kernels not loaded: " + NativeKernels.loadFailure());
        NativeKernels kernels = NativeKernels.load().orElseThrow();
        assumeTrue(kernels.level() >= level, "this CPU lacks the path");
        return kernels;
    }
}
