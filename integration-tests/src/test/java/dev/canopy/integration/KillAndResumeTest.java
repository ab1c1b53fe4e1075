package dev.canopy.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.canopy.executor.TestModels;

/**
 * The batch job killed with SIGKILL after some partitions committed, then started again with the same
 * arguments: it finishes only the missing rows, and the output has every input row exactly once.
 */
class KillAndResumeTest {

    @TempDir
    Path dir;

    @Test
    void aKilledJobRerunFinishesOnlyTheMissingRows() throws Exception {
        Path output = dir.resolve("out");
        String[] args = {"--input", JobProcess.ROOT.resolve("examples/prompts.parquet").toString(),
            "--output", output.toString(), "--model", TestModels.stories260kF32().toString(), "--max-tokens", "32",
            "--partitions", "12", "--conf", "spark.master=local[2]", "--conf", "engine.kv-budget=64m"};

        Process first = JobProcess.batch(dir.resolve("first.log"), args).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
        while (partFiles(output) < 2 && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        first.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no job commit
        long committed = OutputReader.committedRows(output);
        assertThat(committed).as(Files.readString(dir.resolve("first.log"))).isBetween(1L, 299L);
        assertThat(output.resolve("_SUCCESS")).doesNotExist();

        Path log = dir.resolve("second.log");
        JobProcess.Result second = JobProcess.run(JobProcess.batch(log, args), log, 8);

        assertThat(second.code()).as(second.output()).isZero();
        assertThat(OutputReader.byId(output, "generated_text")).hasSize(300);
        JsonNode metrics = new ObjectMapper().readTree(output.resolve("_canopy_metrics.json").toFile());
        assertThat(metrics.get("rows_committed_before").asLong()).isEqualTo(committed);
        assertThat(metrics.get("rows_generated").asLong()).isEqualTo(300 - committed);
        assertThat(metrics.get("rows_missing").asLong()).isZero();
        assertThat(metrics.get("rows_extra").asLong()).isZero();
        assertThat(output.resolve("_SUCCESS")).exists();
    }

    @Test
    void aKilledJobWritingToATableResumesWithEveryIdOnce() throws Exception {
        Path warehouse = dir.resolve("warehouse");
        Path output = warehouse.resolve("answers");
        String[] args = {"--input", JobProcess.ROOT.resolve("examples/prompts.parquet").toString(),
            "--output-table", "answers", "--model", TestModels.stories260kF32().toString(), "--max-tokens", "32",
            "--partitions", "12", "--conf", "spark.master=local[2]", "--conf", "engine.kv-budget=64m",
            "--conf", "spark.sql.warehouse.dir=" + warehouse};

        Process first = JobProcess.batch(dir.resolve("first.log"), args).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
        while (partFiles(output) < 2 && first.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        first.destroyForcibly().waitFor();
        long committed = OutputReader.committedRows(output);
        assertThat(committed).as(Files.readString(dir.resolve("first.log"))).isBetween(1L, 299L);

        Path log = dir.resolve("second.log");
        JobProcess.Result second = JobProcess.run(JobProcess.batch(log, args), log, 8);

        assertThat(second.code()).as(second.output()).isZero();
        assertThat(second.output()).contains("Registering table answers over the rows committed in")
                .contains("complete: 300 of 300 rows in " + output + " (table answers)");
        assertThat(OutputReader.byId(output, "generated_text")).as("every id once").hasSize(300);
        // the killed run wrote no metrics: the rerun's are run 1
        JsonNode metrics = new ObjectMapper().readTree(output.resolve("_canopy_runs/1.json").toFile());
        assertThat(metrics.get("rows_committed_before").asLong()).isEqualTo(committed);
        assertThat(metrics.get("rows_generated").asLong()).isEqualTo(300 - committed);
        assertThat(metrics.get("rows_extra").asLong()).isZero();
    }

    private static long partFiles(Path output) throws IOException {
        if (!Files.isDirectory(output)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(output)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("part-") && n.endsWith(".parquet")).count();
        }
    }
}
