package dev.canopy.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.cuda.CudaBackend;
import dev.canopy.executor.tensor.KernelChoice;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Which backend an engine runs on follows {@link EngineConfig#backend()} and what the machine has. */
class EngineConfigBackendTest {

    @Test
    void theBackendDefaultsToAutoAndWithersKeepIt() {
        Path model = Path.of("m.gguf");
        assertThat(EngineConfig.defaults(model).backend()).isEqualTo(BackendKind.AUTO);
        assertThat(new EngineConfig(model, 2, 4, 64, 1 << 20, 16, true, KernelChoice.JAVA).backend())
                .isEqualTo(BackendKind.AUTO);
        assertThat(new EngineConfig(model, 2, 4, 64, 1 << 20, 16, true, KernelChoice.JAVA, null, null).backend())
                .isEqualTo(BackendKind.AUTO);
        EngineConfig cpu = EngineConfig.defaults(model).withBackend(BackendKind.CPU).withThreads(3).withMaxSeqs(5)
                .withKernels(KernelChoice.JAVA);
        assertThat(cpu.backend()).isEqualTo(BackendKind.CPU);
        assertThat(cpu.threads()).isEqualTo(3);
        assertThat(cpu.maxSeqs()).isEqualTo(5);
    }

    @Test
    void autoRunsOnTheGpuOnlyWhereOneIsUsableAndCpuAlwaysOnTheCpu() {
        EngineConfig config = EngineConfig.defaults(TestModels.stories260kF32()).withThreads(1)
                .withKvBudgetBytes(1L << 20);
        try (Engine auto = Engine.open(config)) {
            assertThat(auto.backend().name()).isEqualTo(CudaBackend.isAvailable() ? "cuda:0" : "cpu");
        }
        try (Engine cpu = Engine.open(config.withBackend(BackendKind.CPU))) {
            assertThat(cpu.backend().name()).isEqualTo("cpu");
            assertThat(cpu.backend().numBlocks()).isEqualTo(
                    (int) ((1L << 20) / (cpu.model().config().kvBytesPerToken() * config.blockSize())));
        }
    }
}
