package dev.canopy.jobs.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;

import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.pipeline.batch.BatchJobSpec;
import dev.canopy.pipeline.batch.OutputFormat;
import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.engine.EngineSettings;
import dev.canopy.pipeline.input.InputFormat;

class BatchConfigLoaderTest {

    @TempDir
    Path dir;

    static Path repoFile(String name) {
        return Path.of(System.getProperty("canopy.repo.root", "..")).resolve(name);
    }

    @Test
    void theExampleJobConfigLoadsAndDocumentsEveryKey() throws IOException {
        Path example = repoFile("conf/job.yaml");
        String text = Files.readString(example);

        BatchConfig config = BatchConfigLoader.load(Optional.of(example), Map.of());

        assertThat(config.input()).isEqualTo("examples/prompts.parquet");
        assertThat(BatchSpecBuilder.build(config).options().sampling())
                .isEqualTo(dev.canopy.pipeline.GenerateOptions.DEFAULT_SAMPLING);
        for (String key : keys(BatchConfig.class)) {
            assertThat(text).as("conf/job.yaml documents '%s'", key).contains(key + ":");
        }
    }

    @Test
    void anUnknownKeyIsNamedWithItsPath() throws IOException {
        Path file = Files.writeString(dir.resolve("job.yaml"), "input: in\nsampling:\n  temprature: 0.5\n");

        assertThatThrownBy(() -> BatchConfigLoader.load(Optional.of(file), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Cannot read config '" + file + "': unknown key 'sampling.temprature'; "
                        + "known keys there: frequency-penalty, max-tokens, ");
    }

    @Test
    void flagsOverrideTheFileAndSparkKeysGoToTheSparkSection() throws IOException {
        Path file = Files.writeString(dir.resolve("job.json"),
                "{\"input\": \"a.parquet\", \"output\": \"out\", \"model\": \"m.gguf\", \"sampling\": {\"seed\": 1}}");
        Map<String, String> overrides = new LinkedHashMap<>();
        overrides.put("sampling.seed", "7");
        overrides.put("sampling.stop", "END");
        overrides.put("input-format", "openai-batch");
        overrides.put("spark.master", "local[2]");
        overrides.put("max-prompt-chars", "5000");

        BatchConfig config = BatchConfigLoader.load(Optional.of(file), overrides);
        BatchJobSpec spec = BatchSpecBuilder.build(config);

        assertThat(spec.options().sampling().seed()).isEqualTo(7);
        assertThat(spec.options().sampling().stop()).containsExactly("END");
        assertThat(spec.options().maxPromptChars()).isEqualTo(5000);
        assertThat(config.spark()).containsEntry("spark.master", "local[2]");
        assertThat(spec.input().format()).isEqualTo(InputFormat.OPENAI_BATCH);
        assertThat(spec.outputFormat()).isEqualTo(OutputFormat.OPENAI_BATCH);
        assertThat(spec.options().idColumn()).isEqualTo("custom_id");
    }

    @Test
    void aModelUriIsKeptAsGivenAndAPathIsMadeAbsolute() {
        String uri = "hdfs://namenode:8020/models/m.gguf";
        BatchJobSpec remote = BatchSpecBuilder.build(BatchConfigLoader.load(Optional.empty(),
                Map.of("input", "in", "output", "out", "model", uri)));
        BatchJobSpec local = BatchSpecBuilder.build(BatchConfigLoader.load(Optional.empty(),
                Map.of("input", "in", "output", "out", "model", "models/m.gguf")));

        assertThat(((EngineAdapterFactory) remote.options().modelAdapter()).modelPath()).isEqualTo(uri);
        assertThat(((EngineAdapterFactory) local.options().modelAdapter()).modelPath())
                .isEqualTo(Path.of("models/m.gguf").toAbsolutePath().toString());
    }

    @Test
    void theKvTypeKeyChoosesTheEnginesKvCacheAndABadOneIsNamed() {
        BatchConfig q4 = BatchConfigLoader.load(Optional.empty(), Map.of("engine.kv-type", "q4"));
        assertThat(BatchSpecBuilder.engine(q4.engine()).kvType()).isEqualTo(KvCacheType.Q4);
        assertThat(BatchSpecBuilder.engine(q4.engine()).config(Path.of("m.gguf"), 2).kvType()).isEqualTo(KvCacheType.Q4);
        BatchConfig unset = BatchConfigLoader.load(Optional.empty(), Map.of());
        assertThat(BatchSpecBuilder.engine(unset.engine()).kvType()).isEqualTo(KvCacheType.F32);
        BatchConfig bad = BatchConfigLoader.load(Optional.empty(), Map.of("engine.kv-type", "q2"));
        assertThatThrownBy(() -> BatchSpecBuilder.engine(bad.engine()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Cannot read key 'engine.kv-type': expected f32, q8 or q4, got 'q2'");
    }

    @Test
    void theMaxOutputBytesKeyCapsEachRowsTextAndABadOneIsNamed() {
        BatchConfig small = BatchConfigLoader.load(Optional.empty(), Map.of("engine.max-output-bytes", "64k"));
        assertThat(BatchSpecBuilder.engine(small.engine()).config(Path.of("m.gguf"), 2).maxOutputBytes())
                .isEqualTo(64 << 10);
        BatchConfig unset = BatchConfigLoader.load(Optional.empty(), Map.of());
        assertThat(BatchSpecBuilder.engine(unset.engine()).withThreads(3).config(Path.of("m.gguf"), 2)
                .maxOutputBytes()).isEqualTo(4L << 20);
        BatchConfig bad = BatchConfigLoader.load(Optional.empty(), Map.of("engine.max-output-bytes", "lots"));
        assertThatThrownBy(() -> BatchSpecBuilder.engine(bad.engine()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Cannot read key 'engine.max-output-bytes': 'lots' is not a size such as 64k or 4m");
    }

    @Test
    void theGpuKeysChooseTheArithmeticDefaultingToTensorCoresWithoutSharedPrefixAttention() {
        BatchConfig unset = BatchConfigLoader.load(Optional.empty(), Map.of());
        assertThat(BatchSpecBuilder.engine(unset.engine()).gpu()).isEqualTo(GpuSettings.defaults());
        assertThat(GpuSettings.defaults()).isEqualTo(new GpuSettings(true, false));

        BatchConfig chosen = BatchConfigLoader.load(Optional.empty(),
                Map.of("engine.tensor-cores", "false", "engine.shared-prefix-attention", "true"));
        EngineSettings engine = BatchSpecBuilder.engine(chosen.engine());
        assertThat(engine.gpu()).isEqualTo(new GpuSettings(false, true));
        assertThat(engine.config(Path.of("m.gguf"), 2).gpu()).isEqualTo(new GpuSettings(false, true));
    }

    @Test
    void aGpuKeyThatIsNotABooleanIsNamedWithTheAllowedValues() throws IOException {
        Path file = Files.writeString(dir.resolve("job.yaml"), "engine:\n  shared-prefix-attention: sometimes\n");

        assertThatThrownBy(() -> BatchConfigLoader.load(Optional.empty(), Map.of("engine.tensor-cores", "on")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Cannot read configuration: key 'engine.tensor-cores' has value 'on', expected true or false");
        assertThatThrownBy(() -> BatchConfigLoader.load(Optional.of(file), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Cannot read config '" + file + "': key 'engine.shared-prefix-attention' has value "
                        + "'sometimes', expected true or false");
    }

    @Test
    void aValueOfTheWrongTypeNamesTheKey() {
        assertThatThrownBy(() -> BatchConfigLoader.load(Optional.empty(), Map.of("sampling.max-tokens", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Cannot read configuration: key 'sampling.max-tokens' has value 'many', expected integer");
    }

    @Test
    void outOfRangeSamplingAndMissingKeysAreConfigErrors() {
        BatchConfig noModel = BatchConfigLoader.load(Optional.empty(), Map.of("input", "a", "output", "b"));
        assertThatThrownBy(() -> BatchSpecBuilder.build(noModel))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Cannot start the batch job: 'model' is not set (give --model or set model: in the"
                        + " config file)");

        BatchConfig hot = BatchConfigLoader.load(Optional.empty(), Map.of("input", "a", "output", "b", "model", "m",
                "sampling.temperature", "-1"));
        assertThatThrownBy(() -> BatchSpecBuilder.build(hot))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Cannot configure the batch job: Cannot use sampling parameters: temperature");
    }

    @Test
    void aMissingConfigFileIsNamed() {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> BatchConfigLoader.load(Optional.of(missing), Map.of()))
                .hasMessage("Cannot read config '" + missing + "': no such file");
    }

    /** Leaf key names of a config record, in the file's kebab-case. */
    private static List<String> keys(Class<?> record) {
        List<String> keys = new ArrayList<>();
        for (RecordComponent c : record.getRecordComponents()) {
            String name = new PropertyNamingStrategies.KebabCaseStrategy().translate(c.getName());
            keys.add(name);
            if (c.getType().isRecord()) {
                keys.addAll(keys(c.getType()));
            }
        }
        return keys;
    }
}
