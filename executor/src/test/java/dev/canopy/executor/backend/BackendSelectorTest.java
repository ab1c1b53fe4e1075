package dev.canopy.executor.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.cuda.CudaAvailability;
import dev.canopy.executor.cuda.CudaBackend;
import dev.canopy.executor.cuda.CudaException;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelChoice;
import org.junit.jupiter.api.Test;

/** The engine's backend follows the configured kind and what the machine has. */
class BackendSelectorTest {

    @Test
    void cpuIsAlwaysTheCpuAndAutoUsesTheGpuOnlyWhereOneIsUsable() {
        try (Model model = Model.load(TestModels.stories260kF32())) {
            try (Backend cpu = BackendSelector.open(model, BackendKind.CPU, 1, KernelChoice.JAVA, 4, 16)) {
                assertThat(cpu.name()).isEqualTo("cpu");
            }
            try (Backend auto = BackendSelector.open(model, BackendKind.AUTO, 1, KernelChoice.JAVA, 4, 16)) {
                assertThat(auto.name()).isEqualTo(CudaBackend.isAvailable() ? "cuda:0" : "cpu");
                assertThat(auto.numBlocks()).isEqualTo(4);
                assertThat(auto.blockSize()).isEqualTo(16);
            }
        }
    }

    @Test
    void cudaWithoutAGpuFailsWithTheReason() {
        CudaAvailability a = CudaBackend.availability();
        try (Model model = Model.load(TestModels.stories260kF32())) {
            if (a.available()) {
                try (Backend gpu = BackendSelector.open(model, BackendKind.CUDA, 1, KernelChoice.JAVA, 4, 16)) {
                    assertThat(gpu.name()).isEqualTo("cuda:0");
                }
            } else {
                assertThatThrownBy(() -> BackendSelector.open(model, BackendKind.CUDA, 1, KernelChoice.JAVA, 4, 16))
                        .isInstanceOf(CudaException.class).hasMessage("Cannot open cuda:0: " + a.detail());
            }
        }
    }

    @Test
    void aQuantizedKvCacheRunsOnTheCpuWhateverTheMachineHas() {
        try (Model model = Model.load(TestModels.stories260kF32())) {
            try (Backend auto = BackendSelector.open(model, BackendKind.AUTO, 1, KernelChoice.JAVA, 4, 16,
                    KvCacheType.Q4)) {
                assertThat(auto.name()).isEqualTo("cpu");
                assertThat(auto.kvType()).isEqualTo(KvCacheType.Q4);
                assertThat(auto.blockBytes()).isEqualTo(KvCacheType.Q4.blockBytes(model.config(), 16));
            }
            assertThatThrownBy(() -> BackendSelector.open(model, BackendKind.CUDA, 1, KernelChoice.JAVA, 4, 16,
                    KvCacheType.Q8)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Cannot open the CUDA backend: the KV cache type q8 runs on the CPU backend only "
                            + "(choose kv type f32, or backend cpu or auto)");
        }
    }

    @Test
    void kindsParseCaseInsensitivelyAndNameTheChoicesOtherwise() {
        assertThat(BackendKind.parse("Cuda")).isEqualTo(BackendKind.CUDA);
        assertThat(BackendKind.parse(" auto ")).isEqualTo(BackendKind.AUTO);
        assertThatThrownBy(() -> BackendKind.parse("tpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot choose backend 'tpu': expected one of cpu, cuda, auto");
    }
}
