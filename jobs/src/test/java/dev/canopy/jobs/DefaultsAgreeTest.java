package dev.canopy.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.jobs.batch.BatchConfig;
import dev.canopy.jobs.batch.BatchConfigLoader;
import dev.canopy.jobs.batch.BatchSpecBuilder;
import dev.canopy.jobs.cli.Args;
import dev.canopy.jobs.cli.EngineFlags;
import dev.canopy.jobs.cli.GenerateCommand;
import dev.canopy.jobs.cli.PlanCommand;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.batch.BatchJobSpec;
import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.engine.EngineSettings;
import dev.canopy.pipeline.ml.LlmGenerator;

/**
 * A setting left unset is the same on every entry point: the batch job's config file (empty, or none, or the example
 * {@code conf/job.yaml}, which writes every default out) and flags (none given), {@code canopy generate}'s and {@code plan}'s flags, the notebook's {@code GenerateOptions.forModel}
 * and the Spark ML stage's params all reach {@link SamplingParams#DEFAULTS}, {@link EngineSettings#defaults()} and
 * {@link GenerateOptions#of}'s columns and partitioning. Fails naming the path whose default drifted.
 */
class DefaultsAgreeTest {

    private static final String MODEL = Path.of("models/m.gguf").toAbsolutePath().toString();

    /** What every path must give: the notebook's options on Canopy's engine, all defaults. */
    private static final GenerateOptions NOTEBOOK = GenerateOptions.forModel(MODEL);

    @Test
    void theNotebookOptionsAreTheOneRecordOfDefaults() {
        assertThat(NOTEBOOK.sampling()).isEqualTo(SamplingParams.DEFAULTS);
        assertThat(engine(NOTEBOOK)).isEqualTo(EngineSettings.defaults());
        assertThat(EngineSettings.defaults().config(Path.of(MODEL), 4))
                .isEqualTo(EngineConfig.defaults(Path.of(MODEL)).withThreads(4));
    }

    @Test
    void theBatchJobWithNoConfigFileAndNoFlagsRunsWithTheDefaults() {
        Args flags = Args.parse(new BatchCommand(), new String[] {"--input", "in.parquet", "--output", "out",
                "--model", MODEL});

        GenerateOptions job = BatchSpecBuilder.build(BatchConfigLoader.load(Optional.empty(),
                BatchGenerate.overrides(flags))).options();

        assertThat(job).as("canopy batch, no config file, no flags").isEqualTo(NOTEBOOK);
    }

    @Test
    void theBatchJobWithAnEmptyConfigFileRunsWithTheDefaults(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("job.yaml"), "# nothing set\n");

        GenerateOptions job = BatchSpecBuilder.build(BatchConfigLoader.load(Optional.of(config),
                Map.of("input", "in.parquet", "output", "out", "model", MODEL))).options();

        assertThat(job).as("canopy batch, empty config file").isEqualTo(NOTEBOOK);
    }

    @Test
    void theExampleConfigFileWritesOutTheDefaults() {
        Path example = Path.of(System.getProperty("canopy.repo.root", "..")).resolve("conf/job.yaml");
        BatchConfig file = BatchConfigLoader.load(Optional.of(example), Map.of("model", MODEL));
        BatchConfig unset = BatchConfigLoader.load(Optional.empty(),
                Map.of("input", file.input(), "output", file.output(), "model", MODEL));

        BatchJobSpec fromFile = BatchSpecBuilder.build(file);

        assertThat(fromFile.options()).as("conf/job.yaml's values").isEqualTo(NOTEBOOK);
        assertThat(fromFile).as("conf/job.yaml's job keys").isEqualTo(BatchSpecBuilder.build(unset));
        assertThat(file.maxErrorRate()).isEqualTo(BatchConfig.DEFAULT_MAX_ERROR_RATE);
    }

    @Test
    void theGenerateAndPlanCommandsWithNoFlagsRunWithTheDefaults() {
        Args flags = Args.parse(new GenerateCommand(), new String[] {"--model", MODEL, "--prompt", "hi"});
        Args plan = Args.parse(new PlanCommand(), new String[] {"--model", MODEL, "--input", "p.jsonl"});

        EngineConfig config = EngineFlags.config(flags);

        assertThat(GenerateCommand.sampling(flags)).as("canopy generate's sampling").isEqualTo(NOTEBOOK.sampling());
        assertThat(config).as("canopy generate's engine").isEqualTo(engine(NOTEBOOK).config(Path.of(MODEL),
                Runtime.getRuntime().availableProcessors()));
        assertThat(EngineSettings.of(config).withThreads(EngineSettings.EXECUTOR_CORES))
                .isEqualTo(engine(NOTEBOOK));
        assertThat(plan.intValue("max-tokens")).as("canopy plan's max tokens")
                .isEqualTo(NOTEBOOK.sampling().maxTokens());
    }

    @Test
    void theSparkMlStageWithNoParamsSetRunsWithTheDefaults() {
        LlmGenerator generator = new LlmGenerator().setModelPath(MODEL);
        GenerateOptions stage = generator.options();

        assertThat(generator.getInputCol()).isEqualTo(NOTEBOOK.promptColumn());
        assertThat(generator.getOutputCol()).isEqualTo(NOTEBOOK.textColumn());
        // the stage generates into internal columns, then builds its struct column: compare all else
        assertThat(stage.withTextColumn(NOTEBOOK.textColumn()).withIdColumn(NOTEBOOK.idColumn()))
                .as("LlmGenerator with only modelPath set").isEqualTo(NOTEBOOK);
    }

    private static EngineSettings engine(GenerateOptions options) {
        return ((EngineAdapterFactory) options.modelAdapter()).settings();
    }
}
