package dev.canopy.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.canopy.executor.TestModels;

/** The shaded jar under {@code SparkSubmit}, as a cluster would run it (Spark from the cluster, not the jar). */
class SparkSubmitTest {

    @TempDir
    Path dir;

    @Test
    void runsUnderSparkSubmitOnLocalSpark() throws Exception {
        Path output = dir.resolve("out");
        Path log = dir.resolve("submit.log");

        JobProcess.Result run = JobProcess.run(JobProcess.sparkSubmit(log, "local[2]", Map.of(), jobArgs(output)),
                log, 6);

        assertThat(run.code()).as(run.output()).isZero();
        assertThat(OutputReader.byId(output, "generated_text")).hasSize(20);
    }

    @Test
    void runsOnALocalClusterLoadingTheModelOncePerExecutor() throws Exception {
        Path output = dir.resolve("out");
        Path log = dir.resolve("cluster.log");
        Map<String, String> env = Map.of("SPARK_HOME", sparkHome().toString(), "SPARK_SCALA_VERSION", "2.13");

        JobProcess.Result run = JobProcess.run(JobProcess.sparkSubmit(log, "local-cluster[2,1,1024]", env,
                jobArgs(output)), log, 8);

        assertThat(run.code()).as(run.output()).isZero();
        assertThat(OutputReader.byId(output, "generated_text")).hasSize(20);
        JsonNode loads = new ObjectMapper().readTree(output.resolve("_canopy_metrics.json").toFile())
                .get("model_loads_by_executor");
        List<String> executors = new ArrayList<>();
        loads.fieldNames().forEachRemaining(executors::add);
        assertThat(executors).as("two executor JVMs did the work").hasSize(2)
                .noneMatch(e -> e.startsWith("driver@"));
        loads.elements().forEachRemaining(n -> assertThat(n.asInt()).as("model loads in one executor").isEqualTo(1));
        assertThat(executorLogLines("Loading model")).as("executors open the model file the driver shipped")
                .hasSize(2).allMatch(line -> line.contains(dir.resolve("spark-home/work").toString())
                        && line.contains(TestModels.stories260kF32().getFileName().toString()));
    }

    /** Lines of the local cluster's executor logs (its workers' work directories) that contain {@code text}. */
    private List<String> executorLogLines(String text) throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("spark-home/work"))) {
            List<String> lines = new ArrayList<>();
            for (Path log : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                Files.readAllLines(log).stream().filter(line -> line.contains(text)).forEach(lines::add);
            }
            return lines;
        }
    }

    private String[] jobArgs(Path output) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            lines.add("{\"id\": \"r" + i + "\", \"prompt\": \"" + (i % 2 == 0 ? "Once upon a time, Lily" : "The dog")
                    + " saw " + i + "\"}");
        }
        Path input = Files.write(dir.resolve("in.jsonl"), lines);
        return new String[] {"--input", input.toString(), "--input-format", "jsonl", "--output", output.toString(),
            "--model", TestModels.stories260kF32().toString(), "--max-tokens", "8", "--partitions", "4",
            "--conf", "engine.kv-budget=32m", "--conf", "engine.threads=1"};
    }

    /** A Spark home for the local cluster's workers, whose executors run with its jars/ as class path. */
    private Path sparkHome() throws IOException {
        Path jars = Files.createDirectories(dir.resolve("spark-home/jars"));
        for (Path jar : JobProcess.clusterJars()) {
            Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
        }
        return jars.getParent();
    }
}
