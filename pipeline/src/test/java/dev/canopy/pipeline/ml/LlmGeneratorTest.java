package dev.canopy.pipeline.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.engine.EngineSettings;
import dev.canopy.pipeline.input.InvalidInputException;

class LlmGeneratorTest {

    private final SparkSession spark = SharedSpark.session();
    private final Dataset<Row> questions = spark.createDataFrame(List.of(
            RowFactory.create(1, "Once upon a time"), RowFactory.create(2, "The little dog"),
            RowFactory.create(3, "Lily wanted to")),
            new StructType().add("n_id", DataTypes.IntegerType).add("question", DataTypes.StringType));

    private LlmGenerator generator() {
        return new LlmGenerator().setInputCol("question").setOutputCol("answer")
                .setModelPath(TestModels.stories260kF32().toString()).setMaxTokens(6).setTemperature(0.9).setSeed(5)
                .setKvBudgetBytes(32L << 20);
    }

    @Test
    void addsOneStructColumnBesideTheInputColumnsAsCanopyGenerateDoes() {
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {generator()}).fit(questions);

        Dataset<Row> answered = model.transform(questions);

        assertThat(answered.columns()).containsExactly("n_id", "question", "answer");
        assertThat(answered.schema().apply("answer").dataType().simpleString()).isEqualTo("struct<text:string,"
                + "finish_reason:string,prompt_tokens:int,cached_prompt_tokens:int,completion_tokens:int,error:string>");
        Map<Integer, String> answers = byId(answered, "answer.text");
        Map<Integer, String> expected = byId(Canopy.generate(questions, generator().options()), "llm_generator_text");
        assertThat(answers).hasSize(3).isEqualTo(expected);
        assertThat(answers.values()).allMatch(a -> !a.isEmpty());
        assertThat(answered.select("answer.error").collectAsList()).allMatch(r -> r.isNullAt(0));
    }

    @Test
    void transformStartsNoSparkJob() {
        spark.sparkContext().setJobGroup("llm-generator-transform", "transform only", false);
        try {
            generator().transform(questions);
        } finally {
            spark.sparkContext().clearJobGroup();
        }

        assertThat(spark.sparkContext().statusTracker().getJobIdsForGroup("llm-generator-transform")).isEmpty();
    }

    @Test
    void inputColumnsNamedLikeParamsPassThroughUnlessMapped() {
        Dataset<Row> withParams = spark.createDataFrame(List.of(
                RowFactory.create(1, "Once upon a time", 99L, 0.0, "kept"),
                RowFactory.create(2, "The little dog", 98L, 0.0, "kept"),
                RowFactory.create(3, "Lily wanted to", 97L, 0.0, "kept")),
                questions.schema().add("seed", DataTypes.LongType).add("temperature", DataTypes.DoubleType)
                        .add("error", DataTypes.StringType));

        Dataset<Row> unmapped = generator().transform(withParams);
        Dataset<Row> mapped = generator().setRowParamCols("temperature").transform(withParams);

        assertThat(unmapped.columns()).containsExactly("n_id", "question", "seed", "temperature", "error", "answer");
        assertThat(byId(unmapped, "answer.text")).as("the seed column is not read")
                .isEqualTo(byId(generator().transform(questions), "answer.text"));
        assertThat(unmapped.select("seed", "error").collectAsList()).extracting(r -> r.getLong(0) + r.getString(1))
                .containsExactlyInAnyOrder("99kept", "98kept", "97kept");
        assertThat(byId(mapped, "answer.text")).as("temperature 0 read per row: greedy")
                .isEqualTo(byId(generator().setTemperature(0).transform(questions), "answer.text"));
    }

    @Test
    void savedWithItsModelAndLoadedWithTheCopy(@TempDir Path dir) throws IOException {
        LlmGenerator saved = generator();
        saved.write().save(dir.resolve("gen").toString());

        LlmGenerator loaded = LlmGenerator.load(dir.resolve("gen").toString());

        assertThat(loaded.uid()).isEqualTo(saved.uid());
        assertThat(loaded.options().sampling()).isEqualTo(saved.options().sampling());
        assertThat(loaded.getOutputCol()).isEqualTo("answer");
        assertThat(loaded.getModelPath()).isEqualTo(dir.resolve("gen/model/stories260K-f32.gguf").toString());
        assertThat(loaded.getOrDefault(loaded.modelFingerprint())).startsWith(
                java.nio.file.Files.size(TestModels.stories260kF32()) + ":");
    }

    @Test
    void gettersReturnWhatWasSetAndNullsAreRejected() {
        LlmGenerator generator = generator().setTopK(5).setTopP(0.5).setPartitions(3);

        assertThat(generator.getInputCol()).isEqualTo("question");
        assertThat(generator.getMaxTokens()).isEqualTo(6);
        assertThat(generator.getTemperature()).isEqualTo(0.9);
        assertThat(generator.getSeed()).isEqualTo(5);
        assertThat(generator.getTopK()).isEqualTo(5);
        assertThat(generator.getTopP()).isEqualTo(0.5);
        assertThat(generator.getPartitions()).isEqualTo(3);
        assertThat(generator.getRowParamCols()).isEmpty();
        assertThatThrownBy(() -> generator.setInputCol(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Cannot set inputCol of LlmGenerator");
        assertThatThrownBy(() -> new LlmGenerator().getModelPath()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no modelPath; call setModelPath");
    }

    @Test
    void engineParamsReachTheOptionsAndSurviveSaving(@TempDir Path dir) throws IOException {
        LlmGenerator defaults = generator();
        assertThat(defaults.options().maxPromptChars()).isEqualTo(GenerateOptions.DEFAULT_MAX_PROMPT_CHARS);
        assertThat(settings(defaults).gpu()).isEqualTo(GpuSettings.defaults());

        LlmGenerator chosen = generator().setMaxPromptChars(4096).setTensorCores(false).setSharedPrefixAttention(true);
        chosen.write().save(dir.resolve("gen").toString());
        LlmGenerator loaded = LlmGenerator.load(dir.resolve("gen").toString());

        for (LlmGenerator g : List.of(chosen, loaded)) {
            assertThat(g.options().maxPromptChars()).isEqualTo(4096);
            assertThat(settings(g).gpu()).isEqualTo(new GpuSettings(false, true));
            assertThat(settings(g).kvBudgetBytes()).isEqualTo(32L << 20);
        }
    }

    @Test
    void rejectsAPromptLimitBelowOne() {
        assertThatThrownBy(() -> generator().setMaxPromptChars(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxPromptChars");
    }

    private static EngineSettings settings(LlmGenerator generator) {
        return ((EngineAdapterFactory) generator.options().modelAdapter()).settings();
    }

    @Test
    void transformSchemaNamesAMissingInputColumn() {
        LlmGenerator generator = generator().setInputCol("prompt_text");

        assertThatThrownBy(() -> generator.transformSchema(questions.schema()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Cannot read prompts: the input has no 'prompt_text' column (string)");
    }

    private static Map<Integer, String> byId(Dataset<Row> rows, String column) {
        return rows.select(org.apache.spark.sql.functions.col("n_id"), org.apache.spark.sql.functions.col(column))
                .collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getInt(0), r -> r.getString(1)));
    }
}
