package dev.canopy.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.jobs.batch.BatchConfigLoader;
import dev.canopy.jobs.batch.BatchSpecBuilder;
import dev.canopy.jobs.cli.Args;
import dev.canopy.jobs.cli.GpuFlags;
import dev.canopy.jobs.cli.UsageException;
import dev.canopy.pipeline.batch.BatchJobSpec;
import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.engine.EngineSettings;

/** {@code canopy batch} in this JVM on local Spark with the real stories260K model. */
class BatchGenerateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    static Run batch(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--conf", "spark.master=local[2]", "--conf", "spark.ui.enabled=false",
                "--conf", "spark.sql.shuffle.partitions=2", "--conf", "engine.kv-budget=32m"));
        int code = BatchGenerate.run(all.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String model() {
        return TestModels.stories260kF32().toString();
    }

    @Test
    void malformedRowsGetPerRowErrorsEveryRowIsWrittenAndTheExitCodeCountsThem() throws IOException {
        Path input = Files.writeString(dir.resolve("in.jsonl"), String.join("\n",
                "{\"id\": 1, \"prompt\": \"Once upon a time\"}",
                "{\"id\": 2, \"prompt\": \"Once upon a time, there was\"}",
                "{\"id\": 3, \"prompt\": null}",
                "{\"id\": 4, \"prompt\": \"\"}",
                "{\"id\": 5, \"prompt\": \"" + "Lily ".repeat(600) + "\"}",
                "{\"id\": 6, \"prompt\": \"The dog\", \"temperature\": -1}",
                "{\"id\": 1, \"prompt\": \"duplicate id\"}"));
        Path output = dir.resolve("out");

        // no --input-format: in.jsonl is read as JSON Lines by its extension
        Run run = batch("--input", input.toString(), "--output", output.toString(),
                "--output-format", "jsonl", "--model", model(), "--max-tokens", "8", "--partitions", "2");

        assertThat(run.code()).as(run.err()).isEqualTo(BatchGenerate.TOO_MANY_ERRORS);
        assertThat(run.err()).contains("every row is written, but 5 of 7 rows failed (0.7143), more than"
                + " --max-error-rate 0.0 allows");
        assertThat(run.out()).contains("complete: 7 of 7 rows in " + output);
        Map<Long, List<JsonNode>> rows = new HashMap<>();
        for (JsonNode row : outputLines(output)) {
            rows.computeIfAbsent(row.get("id").asLong(), k -> new ArrayList<>()).add(row);
        }
        assertThat(rows.get(2L).getFirst().get("error").isNull()).isTrue();
        assertThat(rows.get(2L).getFirst().get("completion_tokens").asInt()).isEqualTo(8);
        assertThat(rows.get(1L)).hasSize(2);
        assertThat(rows.get(3L).getFirst().get("error").asText()).startsWith("null_prompt:");
        assertThat(rows.get(4L).getFirst().get("error").asText()).startsWith("empty_prompt:");
        assertThat(rows.get(5L).getFirst().get("error").asText()).startsWith("prompt_too_long:");
        assertThat(rows.get(6L).getFirst().get("error").asText()).startsWith("invalid_params: field temperature");
        JsonNode metrics = JSON.readTree(output.resolve("_canopy_metrics.json").toFile());
        assertThat(metrics.get("errors_by_kind").toString()).isEqualTo("{\"duplicate_id\":1,\"empty_prompt\":1,"
                + "\"invalid_params\":1,\"null_prompt\":1,\"prompt_too_long\":1}");
        assertThat(Files.exists(output.resolve("_SUCCESS"))).isTrue();

        Run accepting = batch("--input", input.toString(), "--output", output.toString(), "--output-format", "jsonl",
                "--model", model(), "--max-tokens", "8", "--partitions", "2", "--max-error-rate", "1");

        assertThat(accepting.code()).as(accepting.err()).isEqualTo(BatchGenerate.COMPLETE);
        assertThat(outputLines(output)).hasSize(7);
        JsonNode first = JSON.readTree(output.resolve("_canopy_runs/1.json").toFile());
        JsonNode second = JSON.readTree(output.resolve("_canopy_runs/2.json").toFile());
        assertThat(first.get("rows_generated").asLong()).isEqualTo(7);
        assertThat(second.get("rows_generated").asLong()).isZero();
        assertThat(second.get("rows_committed_before").asLong()).isEqualTo(7);
    }

    @Test
    void anOutputTableGetsTheRowsUnderTheWarehouseAndARerunFindsThemCommitted() throws IOException {
        Path input = Files.writeString(dir.resolve("in.jsonl"), "{\"id\": 1, \"prompt\": \"Once upon a time\"}\n"
                + "{\"id\": 2, \"prompt\": \"The dog\"}\n");
        Path warehouse = dir.resolve("warehouse");
        String[] args = {"--input", input.toString(), "--output-table", "answers", "--model", model(),
            "--max-tokens", "4", "--conf", "spark.sql.warehouse.dir=" + warehouse};

        Run first = batch(args);
        Run second = batch(args);

        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("complete: 2 of 2 rows in " + warehouse.resolve("answers") + " (table answers)");
        assertThat(second.code()).as(second.err()).isZero();
        JsonNode rerun = JSON.readTree(warehouse.resolve("answers/_canopy_runs/2.json").toFile());
        assertThat(rerun.get("rows_committed_before").asLong()).isEqualTo(2);
        assertThat(rerun.get("rows_generated").asLong()).isZero();
    }

    @Test
    void aMaxErrorRateOutsideZeroToOneIsAConfigError() {
        Run run = batch("--input", "in.parquet", "--output", dir.resolve("out").toString(), "--model", model(),
                "--max-error-rate", "5");

        assertThat(run.code()).isEqualTo(BatchGenerate.BAD_USAGE);
        assertThat(run.err()).contains("Cannot read key 'max-error-rate': expected a share of rows in [0, 1]");
    }

    @Test
    void aBadSchemaExits3BeforeAnyOutputNamingTheColumn() throws IOException {
        Path input = Files.writeString(dir.resolve("in.jsonl"), "{\"prompt\": 42}\n");
        Path output = dir.resolve("out");

        Run run = batch("--input", input.toString(), "--input-format", "jsonl", "--output", output.toString(),
                "--model", model());

        assertThat(run.code()).isEqualTo(BatchGenerate.BAD_INPUT);
        assertThat(run.err()).contains("Cannot read prompts: column 'prompt' has type bigint, expected string");
        assertThat(Files.exists(output)).isFalse();
    }

    @Test
    void aMissingOrCorruptModelExits3BeforeAnyOutput() throws IOException {
        Path output = dir.resolve("out");
        Run missing = batch("--input", "in.parquet", "--output", output.toString(), "--model", "nope.gguf");

        Path corrupt = Files.write(dir.resolve("corrupt.gguf"), "GGUF but not really".getBytes(StandardCharsets.UTF_8));
        Run bad = batch("--input", "in.parquet", "--output", output.toString(), "--model", corrupt.toString());

        assertThat(missing.code()).isEqualTo(BatchGenerate.BAD_INPUT);
        assertThat(missing.err()).contains("Cannot open model '" + Path.of("nope.gguf").toAbsolutePath()
                + "': no such file");
        assertThat(bad.code()).isEqualTo(BatchGenerate.BAD_INPUT);
        assertThat(bad.err()).contains("Cannot open model '" + corrupt + "': ");
        assertThat(Files.exists(output)).isFalse();
    }

    @Test
    void configErrorsExit2AndUnknownFlagsAreUsageErrors() throws IOException {
        Path config = Files.writeString(dir.resolve("job.yaml"), "sampling:\n  temprature: 1\n");

        Run run = batch("--config", config.toString());

        assertThat(run.code()).isEqualTo(BatchGenerate.BAD_USAGE);
        assertThat(run.err()).contains("unknown key 'sampling.temprature'");
        assertThatThrownBy(() -> batch("--inptu", "x"))
                .isInstanceOf(UsageException.class)
                .hasMessage("canopy batch: unknown flag --inptu");
    }

    @Test
    void theGpuFlagsSetTheEngineKeysAndABadValueIsAUsageError() {
        Args flags = Args.parse("batch", new String[] {"--input", "in.parquet", "--output", "out", "--model", "m.gguf",
                "--conf", "engine.tensor-cores=true", "--tensor-cores", "off", "--shared-prefix-attention", "on",
                "--kv-type", "q8"}, Set.of("input", "output", "model", "conf", "kv-type", GpuFlags.TENSOR_CORES,
                GpuFlags.SHARED_PREFIX_ATTENTION), Set.of());

        Map<String, String> overrides = BatchGenerate.overrides(flags);
        BatchJobSpec spec = BatchSpecBuilder.build(BatchConfigLoader.load(Optional.empty(), overrides));
        EngineSettings engine = ((EngineAdapterFactory) spec.options().modelAdapter()).settings();

        assertThat(overrides).containsEntry("engine.tensor-cores", "false")
                .containsEntry("engine.shared-prefix-attention", "true").containsEntry("engine.kv-type", "q8");
        assertThat(engine.gpu()).isEqualTo(new GpuSettings(false, true));
        assertThatThrownBy(() -> batch("--model", model(), "--tensor-cores", "fast"))
                .isInstanceOf(UsageException.class)
                .hasMessage("canopy: --tensor-cores must be on or off, got 'fast'");
        assertThat(BatchGenerate.usage()).contains("[--tensor-cores=on|off]")
                .contains("[--shared-prefix-attention=on|off]");
    }

    @Test
    void maxPromptCharsFromTheCommandLineReachesTheJob() {
        Args flags = Args.parse("batch", new String[] {"--input", "in.parquet", "--output", "out", "--model", "m.gguf",
                "--max-prompt-chars", "4096"}, Set.of("input", "output", "model", "max-prompt-chars"), Set.of());

        Map<String, String> overrides = BatchGenerate.overrides(flags);
        BatchJobSpec spec = BatchSpecBuilder.build(BatchConfigLoader.load(Optional.empty(), overrides));

        assertThat(overrides).containsEntry("max-prompt-chars", "4096");
        assertThat(spec.options().maxPromptChars()).isEqualTo(4096);
        assertThat(BatchGenerate.usage()).contains("[--max-prompt-chars=N]");
    }

    private static List<JsonNode> outputLines(Path output) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(output)) {
            for (Path part : files.filter(p -> p.getFileName().toString().startsWith("part-")).toList()) {
                for (String line : Files.readAllLines(part)) {
                    lines.add(JSON.readTree(line));
                }
            }
        }
        return lines;
    }
}
