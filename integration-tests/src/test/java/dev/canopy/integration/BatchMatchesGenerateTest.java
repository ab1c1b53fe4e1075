package dev.canopy.integration;

import static org.assertj.core.api.Assertions.assertThat;

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

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.canopy.executor.TestModels;
import dev.canopy.jobs.CanopyCli;
import dev.canopy.jobs.batch.ExamplePrompts;

/**
 * The README's batch job on the bundled 300 shared-prefix prompts, local[2], real model: every row comes out
 * once, with exactly the text {@code canopy generate} gives that row with the same sampling and seed.
 */
class BatchMatchesGenerateTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void everyRowOnceWithTheTextCanopyGenerateGives() throws Exception {
        Path examples = JobProcess.ROOT.resolve("examples/prompts.parquet");
        List<Row> shipped = OutputReader.spark().read().parquet(examples.toString()).collectAsList();
        assertThat(shipped).as("examples/prompts.parquet is ExamplePrompts.rows()")
                .containsExactlyInAnyOrderElementsOf(ExamplePrompts.rows());
        Path output = dir.resolve("out");
        Path log = dir.resolve("batch.log");

        JobProcess.Result batch = JobProcess.run(JobProcess.batch(log, "--input", examples.toString(),
                "--output", output.toString(), "--model", TestModels.stories260kF32().toString(),
                "--max-tokens", "16", "--temperature", "0.8", "--seed", "11", "--partitions", "5",
                "--conf", "spark.master=local[2]", "--conf", "engine.kv-budget=64m"), log, 8);

        assertThat(batch.code()).as(batch.output()).isZero();
        assertThat(batch.output()).contains("complete: 300 of 300 rows");
        Map<String, String> batchText = OutputReader.byId(output, "generated_text");
        assertThat(batchText).hasSize(300);
        Map<String, String> generateText = generate(ExamplePrompts.rows());
        assertThat(batchText).isEqualTo(generateText);
        JsonNode metrics = JSON.readTree(output.resolve("_canopy_metrics.json").toFile());
        assertThat(metrics.get("rows_generated").asInt()).isEqualTo(300);
        assertThat(metrics.get("prefix_saving").asDouble()).as("ten shared openings").isGreaterThan(0.3);
        assertThat(metrics.get("partitions")).hasSize(5);
    }

    /** {@code canopy generate} over the same prompts, in this JVM: text by id. */
    private Map<String, String> generate(List<Row> rows) throws IOException {
        Path prompts = dir.resolve("prompts.jsonl");
        List<String> lines = new ArrayList<>();
        for (Row row : rows) {
            lines.add(JSON.createObjectNode().put("id", row.getString(0)).put("prompt", row.getString(1)).toString());
        }
        Files.write(prompts, lines);
        Path out = dir.resolve("generate.jsonl");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CanopyCli.run(new String[] {"generate", "--model", TestModels.stories260kF32().toString(),
            "--input", prompts.toString(), "--output", out.toString(), "--max-tokens", "16", "--temperature", "0.8",
            "--seed", "11", "--kv-budget", "64m"}, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
        Map<String, String> text = new HashMap<>();
        for (String line : Files.readAllLines(out)) {
            JsonNode node = JSON.readTree(line);
            text.put(node.get("id").asText(), node.get("text").asText());
        }
        return text;
    }
}
