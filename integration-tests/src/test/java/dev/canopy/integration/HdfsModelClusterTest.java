package dev.canopy.integration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.canopy.executor.TestModels;

/**
 * The batch job under {@code SparkSubmit} on a local cluster, with its model, input and output on a real HDFS
 * (Hadoop's MiniDFSCluster in the test JVM): the executor copies the model once, and a rerun with nothing left to
 * generate copies nothing, as its metrics say.
 */
class HdfsModelClusterTest {

    @TempDir
    Path dir;

    @Test
    void aRerunWithNothingLeftCopiesNoModelBytes() throws Exception {
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(new Configuration(), dir.resolve("hdfs").toFile())
                .numDataNodes(1).build();
        try {
            hdfs.waitActive();
            FileSystem fs = hdfs.getFileSystem();
            String root = hdfs.getURI().toString();
            fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(TestModels.stories260kF32().toUri()),
                    new org.apache.hadoop.fs.Path("/models/stories260K-f32.gguf"));
            writeInput(fs, "/data/in.jsonl", 8);
            Map<String, String> env = Map.of("SPARK_HOME", sparkHome().toString(), "SPARK_SCALA_VERSION", "2.13",
                    "CANOPY_MODEL_CACHE", dir.resolve("model-cache").toString());
            String[] args = {"--input", root + "/data/in.jsonl", "--input-format", "jsonl", "--output",
                root + "/data/out", "--model", root + "/models/stories260K-f32.gguf", "--max-tokens", "8",
                "--partitions", "2", "--conf", "engine.kv-budget=32m", "--conf", "engine.threads=1"};

            JobProcess.Result first = JobProcess.run(JobProcess.sparkSubmit(dir.resolve("first.log"),
                    "local-cluster[1,1,1024]", env, args), dir.resolve("first.log"), 8);
            assertThat(first.code()).as(first.output()).isZero();
            JsonNode firstMetrics = metrics(fs);
            assertThat(firstMetrics.get("rows_generated").asLong()).isEqualTo(8);
            assertThat(firstMetrics.get("model_bytes_copied").asLong()).as("the one executor copied the model")
                    .isEqualTo(Files.size(TestModels.stories260kF32()));

            JobProcess.Result second = JobProcess.run(JobProcess.sparkSubmit(dir.resolve("second.log"),
                    "local-cluster[1,1,1024]", env, args), dir.resolve("second.log"), 8);
            assertThat(second.code()).as(second.output()).isZero();
            JsonNode secondMetrics = metrics(fs);
            assertThat(secondMetrics.get("rows_generated").asLong()).isZero();
            assertThat(secondMetrics.get("model_bytes_copied").asLong()).as("nothing left, nothing copied").isZero();
        } finally {
            hdfs.shutdown();
        }
    }

    private static void writeInput(FileSystem fs, String path, int rows) throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            lines.append("{\"id\": \"r").append(i).append("\", \"prompt\": \"Once upon a time, Lily saw ").append(i)
                    .append("\"}\n");
        }
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(path))) {
            out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private static JsonNode metrics(FileSystem fs) throws IOException {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path("/data/out/_canopy_metrics.json"))) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** A Spark home for the local cluster's worker, whose executor runs with its jars/ as class path. */
    private Path sparkHome() throws IOException {
        Path jars = Files.createDirectories(dir.resolve("spark-home/jars"));
        for (Path jar : JobProcess.clusterJars()) {
            Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
        }
        return jars.getParent();
    }
}
