package dev.canopy.integration;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.executor.TestModels;
import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.generate.InvalidModelException;
import dev.canopy.pipeline.ml.LlmGenerator;

/**
 * The notebook API on a local cluster (two executor JVMs that have Canopy only from the shaded jar, and no model
 * file at the driver's relative path, as on a real cluster): the model is shipped without being asked, a misspelled
 * path fails on the driver before any job, and an ML pipeline with {@link LlmGenerator} survives save and load.
 */
class LibraryOnClusterTest {

    @TempDir
    static Path dir;

    private static SparkSession spark;

    @BeforeAll
    static void startCluster() throws IOException {
        Path jars = Files.createDirectories(dir.resolve("spark-home/jars"));
        for (Path jar : JobProcess.clusterJars()) {
            Files.createSymbolicLink(jars.resolve(jar.getFileName()), jar);
        }
        SparkSession.getDefaultSession().foreach(s -> { // another test's local session would be reused
            s.stop();
            return null;
        });
        // a local cluster's workers launch executors from spark.test.home's jars/ when spark.testing is set
        System.setProperty("spark.testing", "true");
        System.setProperty("spark.test.home", jars.getParent().toString());
        spark = SparkSession.builder().master("local-cluster[2,1,1024]").appName("canopy-library-on-cluster")
                .config("spark.ui.enabled", "false")
                .config("spark.jars", JobProcess.SHADED_JAR.toString())
                .config("spark.executor.extraJavaOptions", "-Xss4m")
                // the worker builds the executor's class path from spark.test.home/jars for this Scala version
                .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    @AfterAll
    static void stopCluster() {
        if (spark != null) {
            spark.stop();
        }
        System.clearProperty("spark.testing");
        System.clearProperty("spark.test.home");
    }

    /** The model as a path relative to this JVM's working directory: the executors' directories differ. */
    private static String driverRelativeModel() {
        return Path.of("").toAbsolutePath().relativize(TestModels.stories260kF32().toAbsolutePath()).toString();
    }

    private static Dataset<Row> questions() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            rows.add(RowFactory.create(i, (i % 2 == 0 ? "Once upon a time, Lily" : "The dog") + " saw " + i));
        }
        return spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType)
                .add("prompt", DataTypes.StringType)).repartition(4);
    }

    @Test
    void generateShipsADriverRelativeModelToTheExecutors() {
        String model = driverRelativeModel();
        assertThat(Path.of(model)).isRelative();

        Dataset<Row> out = Canopy.generate(questions(), GenerateOptions.forModel(model).withMaxTokens(6)
                .withPartitions(2));

        List<Row> rows = out.select("id", "generated_text", "error").collectAsList();
        assertThat(rows).hasSize(8).allMatch(r -> r.isNullAt(2) && !r.getString(1).isEmpty());
    }

    @Test
    void aMisspelledModelFailsOnTheDriverBeforeAnyJob() {
        spark.sparkContext().setJobGroup("misspelled-model", "no job expected", false);
        try {
            assertThatThrownBy(() -> Canopy.generate(questions(), GenerateOptions.forModel("models/stories260K.ggfu")))
                    .isInstanceOf(InvalidModelException.class)
                    .hasMessage("Cannot open model 'models/stories260K.ggfu': no such file");
        } finally {
            spark.sparkContext().clearJobGroup();
        }
        assertThat(spark.sparkContext().statusTracker().getJobIdsForGroup("misspelled-model")).isEmpty();
    }

    @Test
    void aSavedAndReloadedPipelineModelGeneratesTheSameAnswers() throws IOException {
        LlmGenerator generator = new LlmGenerator().setInputCol("prompt").setOutputCol("answer")
                .setModelPath(driverRelativeModel()).setMaxTokens(6).setTemperature(0.8).setSeed(3)
                .setKvBudgetBytes(32L << 20).setPartitions(2);
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {generator}).fit(questions());
        Map<Integer, String> before = answers(model.transform(questions()));

        model.write().overwrite().save(dir.resolve("pipeline").toString());
        PipelineModel loaded = PipelineModel.load(dir.resolve("pipeline").toString());
        Map<Integer, String> after = answers(loaded.transform(questions()));

        assertThat(before).hasSize(8).doesNotContainValue("");
        assertThat(after).isEqualTo(before);
        LlmGenerator reloaded = (LlmGenerator) loaded.stages()[0];
        assertThat(reloaded.getModelPath()).startsWith(dir.resolve("pipeline").toString())
                .endsWith("model/stories260K-f32.gguf");
    }

    private static Map<Integer, String> answers(Dataset<Row> rows) {
        return rows.select(col("id"), col("answer.text")).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getInt(0), r -> r.getString(1)));
    }
}
