package dev.canopy.pipeline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.hf.CheckpointFromGguf;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.batch.BatchJobSpec;
import dev.canopy.pipeline.batch.BatchOutcome;
import dev.canopy.pipeline.batch.BatchRun;
import dev.canopy.pipeline.batch.OutputFormat;
import dev.canopy.pipeline.generate.InvalidModelException;
import dev.canopy.pipeline.input.InputFormat;
import dev.canopy.pipeline.input.InputSpec;

/** The batch job with its model and input on a real HDFS (Hadoop's MiniDFSCluster, in this JVM). */
class HdfsModelTest {

    private static MiniDFSCluster hdfs;
    private static FileSystem fs;

    private final SparkSession spark = SharedSpark.session();

    @TempDir
    Path dir;

    @BeforeAll
    static void startHdfs(@TempDir Path base) throws IOException {
        hdfs = new MiniDFSCluster.Builder(new Configuration(), base.toFile()).numDataNodes(1).build();
        hdfs.waitActive();
        fs = hdfs.getFileSystem();
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    @Test
    void aRerunWithNothingLeftCopiesNoModelBytes() throws IOException {
        String model = upload(TestModels.stories260kF32(), "/models/batch/stories260K-f32.gguf");
        String input = hdfsUri("/data/in.parquet");
        spark.createDataFrame(prompts(12), new StructType().add("prompt", DataTypes.StringType)).coalesce(1)
                .write().parquet(input);
        EngineAdapterFactory engine = new EngineAdapterFactory(model, EngineSettings.defaults())
                .shippedWith(spark.sparkContext());
        try {
            BatchOutcome first = BatchRun.run(spark, spec(input, "/data/out", engine));

            assertThat(first.complete()).isTrue();
            assertThat(first.metrics().rowsGenerated()).isEqualTo(12);
            assertThat(first.metrics().model()).isEqualTo("stories260K-f32.gguf");
            assertThat(first.metrics().modelBytesCopied()).as("the model, copied once for this JVM's tasks")
                    .isEqualTo(Files.size(TestModels.stories260kF32()));

            BatchOutcome second = BatchRun.run(spark, spec(input, "/data/out", new EngineAdapterFactory(model,
                    EngineSettings.defaults()).shippedWith(spark.sparkContext())));

            assertThat(second.complete()).isTrue();
            assertThat(second.metrics().rowsGenerated()).isZero();
            assertThat(second.metrics().modelBytesCopied()).as("nothing left to generate, nothing copied").isZero();
            assertThat(metricsJson("/data/out").get("model_bytes_copied").asLong()).isZero();
        } finally {
            deleteCopy(engine.remote());
        }
    }

    @Test
    void aCheckpointDirectoryOnHdfsGeneratesTheTextOfItsGguf() throws IOException {
        String input = hdfsUri("/data/checkpoint-in.parquet");
        spark.createDataFrame(prompts(6), new StructType().add("prompt", DataTypes.StringType)).coalesce(1)
                .write().parquet(input);
        Path checkpoint = dir.resolve("stories-hf");
        CheckpointFromGguf.write(TestModels.stories260kF32(), checkpoint);
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(checkpoint.toUri()),
                new org.apache.hadoop.fs.Path("/models/stories-hf"));
        EngineAdapterFactory fromCheckpoint = new EngineAdapterFactory(hdfsUri("/models/stories-hf"),
                EngineSettings.defaults()).shippedWith(spark.sparkContext());
        EngineAdapterFactory fromGguf = new EngineAdapterFactory(TestModels.stories260kF32().toString(),
                EngineSettings.defaults());
        try {
            BatchOutcome run = BatchRun.run(spark, spec(input, "/data/checkpoint-out", fromCheckpoint));
            BatchRun.run(spark, spec(input, "/data/gguf-out", fromGguf));

            assertThat(run.complete()).isTrue();
            assertThat(run.metrics().modelBytesCopied()).as("every file of the directory, once")
                    .isEqualTo(directoryBytes(checkpoint));
            assertThat(texts("/data/checkpoint-out")).hasSize(6).isEqualTo(texts("/data/gguf-out"));
        } finally {
            deleteCopy(fromCheckpoint.remote());
        }
    }

    @Test
    void aCheckpointDirectoryIsCopiedOnceWithItsFilesAndReused() throws IOException {
        String model = hdfsUri("/models/checkpoint");
        String config = "{\"model_type\": \"llama\"}";
        write("/models/checkpoint/config.json", config);
        write("/models/checkpoint/tokenizer.json", "{}");
        LongAccumulator copied = spark.sparkContext().longAccumulator();
        RemoteModel remote = RemoteModel.resolve(model, fs.getConf(), copied);
        try {
            Path local = RemoteModelCache.localCopy(remote, RemoteModelCache.defaultRoot());
            Path again = RemoteModelCache.localCopy(remote, RemoteModelCache.defaultRoot());

            assertThat(local.getFileName().toString()).isEqualTo("checkpoint");
            assertThat(Files.readString(local.resolve("config.json"))).isEqualTo(config);
            assertThat(Files.readString(local.resolve("tokenizer.json"))).isEqualTo("{}");
            assertThat(again).isEqualTo(local);
            assertThat(copied.value()).as("copied the first time only").isEqualTo(config.length() + 2);
            assertThat(remote.directory()).isTrue();
        } finally {
            deleteCopy(remote);
        }
    }

    @Test
    void withoutShippingTheModelIsStillDescribedWithTheJobsHadoopConfiguration() throws IOException {
        String model = upload(TestModels.stories260kF32(), "/models/noship/stories260K-f32.gguf");
        org.apache.hadoop.conf.Configuration jobConf = spark.sparkContext().hadoopConfiguration();
        spark.conf().set(ModelShipping.SHIP_MODEL, "false");
        jobConf.set("canopy.test.job-setting", "from the job"); // as a spark.hadoop.* key would be
        try {
            GenerateOptions options = ModelShipping.shipped(spark,
                    GenerateOptions.of(new EngineAdapterFactory(model, EngineSettings.defaults())));

            RemoteModel remote = ((EngineAdapterFactory) options.modelAdapter()).remote();
            assertThat(remote).as("described on the driver, for the executors").isNotNull();
            assertThat(remote.conf().get("canopy.test.job-setting")).isEqualTo("from the job");
            assertThat(remote.fingerprint()).isEqualTo(RemoteModel.resolve(model, fs.getConf(), null).fingerprint());
        } finally {
            spark.conf().unset(ModelShipping.SHIP_MODEL);
            jobConf.unset("canopy.test.job-setting");
        }
    }

    @Test
    void aModelRewrittenAfterTheJobDescribedItIsNotCopied() throws IOException {
        String model = hdfsUri("/models/changing.gguf");
        write("/models/changing.gguf", "first");
        RemoteModel remote = RemoteModel.resolve(model, fs.getConf(), null);
        write("/models/changing.gguf", "second, longer");

        assertThatThrownBy(() -> RemoteModelCache.localCopy(remote, dir))
                .isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("Cannot copy model '" + model + "': changing.gguf changed after the job started"
                        + " (length 5 -> 14");
        assertThat(RemoteModel.resolve(model, fs.getConf(), null).fingerprint())
                .as("the new content has another fingerprint").isNotEqualTo(remote.fingerprint());
    }

    @Test
    void aMissingModelIsRefusedBeforeTheJobStarts() {
        String model = hdfsUri("/models/missing.gguf");

        assertThatThrownBy(() -> new EngineAdapterFactory(model, EngineSettings.defaults()).describe())
                .isInstanceOf(InvalidModelException.class)
                .hasMessageStartingWith("Cannot open model '" + model + "': java.io.FileNotFoundException")
                .hasMessageEndingWith("check the URI and that this machine's Hadoop configuration reaches its file"
                        + " system");
    }

    private BatchJobSpec spec(String input, String output, EngineAdapterFactory engine) {
        return new BatchJobSpec(new InputSpec(input, InputFormat.PARQUET), hdfsUri(output),
                OutputFormat.PARQUET, GenerateOptions.of(engine).withPartitions(2), false, Duration.ofSeconds(1));
    }

    /** "prompt -> generated text" of the output at {@code path} on HDFS, in prompt order. */
    private List<String> texts(String path) {
        return spark.read().parquet(hdfsUri(path)).orderBy("prompt").collectAsList().stream()
                .map(r -> r.getAs("prompt") + " -> " + r.getAs("generated_text")).toList();
    }

    /** The metrics JSON the job wrote beside its output on HDFS. */
    private static JsonNode metricsJson(String output) throws IOException {
        try (InputStream in = fs.open(new org.apache.hadoop.fs.Path(output, "_canopy_metrics.json"))) {
            return new ObjectMapper().readTree(in);
        }
    }

    private static long directoryBytes(Path directory) throws IOException {
        try (var files = Files.list(directory)) {
            long bytes = 0;
            for (Path f : files.toList()) {
                bytes += Files.size(f);
            }
            return bytes;
        }
    }

    private static List<Row> prompts(int n) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create("Once upon a time, story " + i));
        }
        return rows;
    }

    private static String upload(Path local, String path) throws IOException {
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toUri()), new org.apache.hadoop.fs.Path(path));
        return hdfsUri(path);
    }

    private static void write(String path, String text) throws IOException {
        try (OutputStream out = fs.create(new org.apache.hadoop.fs.Path(path), true)) {
            out.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
    }

    private static String hdfsUri(String path) {
        return hdfs.getURI() + path;
    }

    /** Removes this test's copy from the machine's cache (its fingerprint is new each run: nothing else uses it). */
    private static void deleteCopy(RemoteModel remote) throws IOException {
        Path copy = RemoteModelCache.defaultRoot().resolve(remote.fingerprint());
        if (Files.exists(copy)) {
            try (var files = Files.walk(copy)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
