package dev.canopy.pipeline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.tensor.KernelChoice;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.kv.KvCacheType;

/** The engine settings Spark sends to executors carry the GPU arithmetic into the engine's config. */
class EngineSettingsTest {

    @Test
    void theDefaultsAreTheEnginesTensorCoresOnSharedPrefixAttentionOff() {
        assertThat(EngineSettings.defaults().gpu()).isEqualTo(GpuSettings.defaults());
        assertThat(new EngineSettings(1, 4, 64, 1 << 20, 16, true, KernelChoice.JAVA, BackendKind.CPU,
                KvCacheType.F32).gpu()).isEqualTo(GpuSettings.defaults());
        assertThat(new EngineSettings(1, 4, 64, 1 << 20, 16, true, KernelChoice.JAVA, BackendKind.CPU,
                KvCacheType.F32, null).gpu()).isEqualTo(GpuSettings.defaults());
    }

    @Test
    void theDefaultsAreEngineConfigsDefaults() {
        EngineConfig engine = EngineConfig.defaults(Path.of("m.gguf"));
        EngineConfig fromSettings = EngineSettings.defaults().config(Path.of("m.gguf"), engine.threads());
        assertThat(fromSettings).isEqualTo(engine);
    }

    @Test
    void sizesOutsideTheEnginesRangesAreRefusedWhenTheSettingsAreMadeWithTheEnginesMessage() {
        EngineSettings d = EngineSettings.defaults();
        assertThatThrownBy(() -> d.withMaxSeqs(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot configure engine: maxSeqs must be at least 1, got 0");
        assertThatThrownBy(() -> d.withBlockSize(5000)).hasMessage(
                "Cannot configure engine: blockSize must be in [1, 4096], got 5000");
        assertThatThrownBy(() -> d.withThreads(2000)).hasMessage(
                "Cannot configure engine: threads must be in [1, 1024], got 2000");
        assertThatThrownBy(() -> d.withMaxOutputBytes(3)).hasMessageContaining("maxOutputBytes must be at least 4");
        assertThat(d.withThreads(EngineSettings.EXECUTOR_CORES).threads()).isZero();
        assertThat(d.withMaxOutputBytes(0).maxOutputBytes()).isEqualTo(EngineConfig.DEFAULT_MAX_OUTPUT_BYTES);
    }

    @Test
    void theChosenGpuSettingsReachTheEngineConfigAndSurviveTheOtherWithers() {
        GpuSettings chosen = new GpuSettings(false, true);
        EngineSettings settings = EngineSettings.defaults().withGpu(chosen).withMaxSeqs(8).withBackend(BackendKind.CUDA)
                .withKvBudgetBytes(32L << 20);

        EngineConfig config = settings.config(Path.of("m.gguf"), 4);

        assertThat(settings.gpu()).isEqualTo(chosen);
        assertThat(config.gpu()).isEqualTo(chosen);
        assertThat(config.backend()).isEqualTo(BackendKind.CUDA);
        assertThat(config.threads()).isEqualTo(4);
    }

    @Test
    void settingsSurviveJavaSerializationAsSparkSendsThem() throws IOException, ClassNotFoundException {
        EngineSettings settings = EngineSettings.defaults().withGpu(new GpuSettings(false, true))
                .withKvType(KvCacheType.Q8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(settings);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(settings);
        }
    }
}
