package dev.canopy.pipeline.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.canopy.pipeline.ByteEchoAdapter;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.input.InputFormat;
import dev.canopy.pipeline.input.InputSpec;
import dev.canopy.pipeline.input.InvalidInputException;

class BatchRunTest {

    private final SparkSession spark = SharedSpark.session();

    @TempDir
    Path dir;

    @Test
    void writesEveryRowOnceWithMetricsAndSuccessMarker() throws IOException {
        String input = prompts(50, null);
        BatchJobSpec spec = spec(input, ByteEchoAdapter.named("echo"), 4);

        BatchOutcome outcome = BatchRun.run(spark, spec);

        assertThat(outcome.complete()).isTrue();
        Dataset<Row> out = spark.read().parquet(spec.output());
        assertThat(out.count()).isEqualTo(50);
        assertThat(out.select("id").distinct().count()).isEqualTo(50);
        assertThat(Files.exists(dir.resolve("out/_SUCCESS"))).isTrue();
        JsonNode metrics = metrics();
        assertThat(metrics.get("status").asText()).isEqualTo("complete");
        assertThat(metrics.get("rows_total").asLong()).isEqualTo(50);
        assertThat(metrics.get("rows_generated").asLong()).isEqualTo(50);
        assertThat(metrics.get("partitions")).hasSize(4);
        assertThat(metrics.get("prefix_saving").asDouble()).isGreaterThan(0.3);
        assertThat(metrics.get("model_loads_by_executor").elements().next().asInt()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void aRerunAfterACrashGeneratesOnlyTheMissingRows() throws IOException {
        String input = prompts(60, "zz last CRASH");
        Path crash = Files.createFile(dir.resolve("crash"));
        BatchJobSpec spec = spec(input, new ByteEchoAdapter("echo", 64, crash.toString()), 6);

        BatchOutcome first = BatchRun.run(spark, spec);

        assertThat(first.complete()).isFalse();
        assertThat(first.metrics().failure()).contains("crash requested");
        long committed = first.metrics().rowsInOutput();
        assertThat(committed).isBetween(1L, 60L);
        assertThat(Files.exists(dir.resolve("out/_SUCCESS"))).isFalse();

        Files.delete(crash);
        BatchOutcome second = BatchRun.run(spark, spec);

        assertThat(second.complete()).isTrue();
        assertThat(second.metrics().rowsCommittedBefore()).isEqualTo(committed);
        assertThat(second.metrics().rowsGenerated()).isEqualTo(61 - committed);
        Dataset<Row> out = spark.read().parquet(spec.output());
        assertThat(out.count()).isEqualTo(61);
        assertThat(out.select("id").distinct().count()).isEqualTo(61);
        assertThat(Files.exists(dir.resolve("out/_SUCCESS"))).isTrue();
    }

    @Test
    void aRerunOfACompleteOutputGeneratesNothing() {
        BatchJobSpec spec = spec(prompts(10, null), ByteEchoAdapter.named("echo"), 2);
        BatchRun.run(spark, spec);

        BatchOutcome again = BatchRun.run(spark, spec);

        assertThat(again.complete()).isTrue();
        assertThat(again.metrics().rowsGenerated()).isZero();
        assertThat(again.metrics().rowsCommittedBefore()).isEqualTo(10);
        assertThat(spark.read().parquet(spec.output()).count()).isEqualTo(10);
    }

    @Test
    void refusesToMixOutputsOfAnotherModelUnlessOverwriting() {
        String input = prompts(10, null);
        BatchRun.run(spark, spec(input, ByteEchoAdapter.named("echo"), 2));
        BatchJobSpec other = spec(input, ByteEchoAdapter.named("other"), 2);

        assertThatThrownBy(() -> BatchRun.run(spark, other))
                .isInstanceOf(OutputConflictException.class)
                .hasMessageContaining("its rows were generated with other settings (model: echo (echo:echo:64)"
                        + " -> other (echo:other:64))")
                .hasMessageEndingWith("rerun with --overwrite to replace them");

        BatchJobSpec overwrite = new BatchJobSpec(other.input(), other.output(), other.outputFormat(),
                other.options(), true, other.progressInterval());
        assertThat(BatchRun.run(spark, overwrite).metrics().rowsGenerated()).isEqualTo(10);
        assertThat(spark.read().parquet(other.output()).select("model").distinct().first().getString(0))
                .isEqualTo("other");
    }

    @Test
    void refusesToMixOutputsOfOtherSamplingParams() {
        BatchJobSpec spec = spec(prompts(5, null), ByteEchoAdapter.named("echo"), 1);
        BatchRun.run(spark, spec);
        BatchJobSpec hotter = new BatchJobSpec(spec.input(), spec.output(), spec.outputFormat(),
                spec.options().withSampling(GenerateOptions.DEFAULT_SAMPLING.toBuilder().temperature(0.5).build()), false,
                spec.progressInterval());

        assertThatThrownBy(() -> BatchRun.run(spark, hotter))
                .isInstanceOf(OutputConflictException.class)
                .hasMessageContaining("sampling: SamplingParams[temperature=0.0, ");
    }

    @Test
    void aMissingInputFailsBeforeAnyOutput() {
        BatchJobSpec spec = spec(dir.resolve("nowhere").toString(), ByteEchoAdapter.named("echo"), 1);

        assertThatThrownBy(() -> BatchRun.run(spark, spec))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Cannot read input '" + dir.resolve("nowhere") + "' as parquet: ");
        assertThat(Files.exists(dir.resolve("out"))).isFalse();
    }

    @Test
    void openAiBatchRequestsGetOpenAiBatchResponses() throws IOException {
        Path requests = dir.resolve("requests.jsonl");
        Files.writeString(requests, String.join("\n",
                "{\"custom_id\": \"a\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": {"
                        + "\"model\": \"x\", \"messages\": [{\"role\": \"user\", \"content\": \"hello\"}],"
                        + " \"max_tokens\": 5, \"seed\": 3, \"stop\": [\"!\"]}}",
                "{\"custom_id\": \"b\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": {"
                        + "\"model\": \"x\", \"messages\": [{\"role\": \"user\", \"content\": \"bye\"}],"
                        + " \"temperature\": -2}}"));
        GenerateOptions options = GenerateOptions.of(ByteEchoAdapter.named("echo")).withIdColumn("custom_id");
        BatchJobSpec spec = new BatchJobSpec(new InputSpec(requests.toString(), InputFormat.OPENAI_BATCH),
                dir.resolve("out").toString(), OutputFormat.OPENAI_BATCH, options, false, Duration.ofSeconds(5));

        assertThat(BatchRun.run(spark, spec).complete()).isTrue();

        List<JsonNode> lines = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (Path part : Files.list(dir.resolve("out")).filter(p -> p.getFileName().toString().startsWith("part-"))
                .toList()) {
            for (String line : Files.readAllLines(part)) {
                lines.add(json.readTree(line));
            }
        }
        assertThat(lines).hasSize(2);
        JsonNode a = lines.stream().filter(l -> l.get("custom_id").asText().equals("a")).findFirst().orElseThrow();
        assertThat(a.get("id").asText()).startsWith("batch_req_");
        JsonNode body = a.get("response").get("body");
        assertThat(a.get("response").get("status_code").asInt()).isEqualTo(200);
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("choices").get(0).get("message").get("content").asText())
                .isEqualTo(ByteEchoAdapter.expectedText("user: hello\nassistant:", 3, 0, 5));
        assertThat(body.get("usage").get("prompt_tokens").asInt()).isEqualTo(23);
        assertThat(a.get("error").isNull()).isTrue();
        JsonNode b = lines.stream().filter(l -> l.get("custom_id").asText().equals("b")).findFirst().orElseThrow();
        assertThat(b.get("response").isNull()).isTrue();
        assertThat(b.get("error").get("code").asText()).isEqualTo("invalid_params");
    }

    private BatchJobSpec spec(String input, ByteEchoAdapter backend, int partitions) {
        return new BatchJobSpec(new InputSpec(input, InputFormat.PARQUET), dir.resolve("out").toString(),
                OutputFormat.PARQUET, GenerateOptions.of(backend).withPartitions(partitions), false,
                Duration.ofSeconds(1));
    }

    /** {@code n} prompts over four shared prefixes, plus {@code extra} when not null, as Parquet. */
    private String prompts(int n, String extra) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create("prefix " + (i % 4) + " shared part; question " + i));
        }
        if (extra != null) {
            rows.add(RowFactory.create(extra));
        }
        String path = dir.resolve("in.parquet").toString();
        spark.createDataFrame(rows, new StructType().add("prompt", DataTypes.StringType))
                .coalesce(1).write().parquet(path);
        return path;
    }

    private JsonNode metrics() throws IOException {
        return new ObjectMapper().readTree(dir.resolve("out/_canopy_metrics.json").toFile());
    }
}
