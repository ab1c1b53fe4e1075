package dev.canopy.executor.engine;

import dev.canopy.executor.engine.offload.OffloadConfig;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.tensor.KernelChoice;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The GPU arithmetic an engine config carries: {@link GpuSettings#defaults()} unless chosen, kept by every wither. */
class EngineConfigGpuTest {

    private static final Path MODEL = Path.of("m.gguf");

    @Test
    void everyConstructorDefaultsToTensorCoresWithoutSharedPrefixAttention() {
        assertThat(EngineConfig.defaults(MODEL).gpu()).isEqualTo(GpuSettings.defaults());
        assertThat(new EngineConfig(MODEL, 2, 4, 64, 1 << 20, 16, true, KernelChoice.JAVA).gpu())
                .isEqualTo(GpuSettings.defaults());
        assertThat(new EngineConfig(MODEL, 2, 4, 64, 1 << 20, 16, true, KernelChoice.JAVA, BackendKind.CUDA,
                null, KvCacheType.F32, null).gpu()).isEqualTo(new GpuSettings(true, false));
    }

    @Test
    void theChosenSettingsSurviveTheOtherWithers() {
        GpuSettings chosen = new GpuSettings(false, true);
        EngineConfig config = EngineConfig.defaults(MODEL).withGpu(chosen).withThreads(3).withMaxSeqs(5)
                .withMaxBatchTokens(100).withKvBudgetBytes(1 << 20).withBlockSize(32).withPrefixCaching(false)
                .withKernels(KernelChoice.JAVA).withBackend(BackendKind.CUDA).withKvType(KvCacheType.F32)
                .withOffload(OffloadConfig.none());
        assertThat(config.gpu()).isEqualTo(chosen);
        assertThat(config.threads()).isEqualTo(3);
        assertThat(config.blockSize()).isEqualTo(32);
    }
}
