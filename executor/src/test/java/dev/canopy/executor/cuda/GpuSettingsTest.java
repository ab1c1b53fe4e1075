package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.backend.BackendSelector;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelChoice;
import org.junit.jupiter.api.Test;

/** The GPU arithmetic an engine asks for, and the CUDA options a backend opens with because of it. */
class GpuSettingsTest {

    @Test
    void tensorCoresAreOnAndSharedPrefixAttentionOffByDefault() {
        assertThat(GpuSettings.defaults()).isEqualTo(new GpuSettings(true, false));
    }

    @Test
    void theSettingsReachTheCudaOptionsWithGraphsOnAndNoPerKernelChecks() {
        CudaOptions defaults = GpuSettings.defaults().options(0, 128, 16);
        assertThat(defaults).isEqualTo(new CudaOptions(0, 128, 16, false, true, true, false));

        CudaOptions chosen = new GpuSettings(false, true).options(3, 64, 32);
        assertThat(chosen.device()).isEqualTo(3);
        assertThat(chosen.numBlocks()).isEqualTo(64);
        assertThat(chosen.blockSize()).isEqualTo(32);
        assertThat(chosen.tensorCores()).isFalse();
        assertThat(chosen.sharedPrefixAttention()).isTrue();
        assertThat(chosen.graphs()).isTrue();
        assertThat(chosen.checkEachKernel()).isFalse();
    }

    @Test
    void withersChangeOneChoiceAndKeepTheOther() {
        GpuSettings both = GpuSettings.defaults().withSharedPrefixAttention(true);
        assertThat(both).isEqualTo(new GpuSettings(true, true));
        assertThat(both.withTensorCores(false)).isEqualTo(new GpuSettings(false, true));
    }

    @Test
    void optionsOutOfRangeFailAsCudaOptionsDo() {
        assertThatThrownBy(() -> GpuSettings.defaults().options(0, 0, 16))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot size the GPU KV cache: numBlocks and blockSize must be positive, got 0 and 16");
    }

    @Test
    void theCpuBackendIgnoresTheGpuSettings() {
        try (Model model = Model.load(TestModels.stories260kF32());
             Backend cpu = BackendSelector.open(model, BackendKind.CPU, 1, KernelChoice.JAVA, 4, 16, KvCacheType.F32,
                     new GpuSettings(false, true))) {
            assertThat(cpu.name()).isEqualTo("cpu");
            assertThat(cpu.numBlocks()).isEqualTo(4);
        }
    }
}
