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
import dev.canopy.pipeline.engine.EngineBackendFactory;
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
    void addsTheAnswerColumnInAnMlPipelineAsCanopyGenerateDoes() {
        PipelineModel model = new Pipeline().setStages(new PipelineStage[] {generator()}).fit(questions);

        Dataset<Row> answered = model.transform(questions);

        assertThat(answered.columns()).startsWith("n_id", "question", "answer", "finish_reason")
                .doesNotContain("llm_generator_row_id");
        Map<Integer, String> answers = byId(answered, "answer");
        Map<Integer, String> expected = byId(Canopy.generate(questions, generator().options()), "answer");
        assertThat(answers).hasSize(3).isEqualTo(expected);
        assertThat(answers.values()).allMatch(a -> !a.isEmpty());
    }

    @Test
    void savedAndLoadedKeepsItsParams(@TempDir Path dir) throws IOException {
        LlmGenerator saved = generator();
        saved.write().save(dir.resolve("gen").toString());

        LlmGenerator loaded = LlmGenerator.load(dir.resolve("gen").toString());

        assertThat(loaded.uid()).isEqualTo(saved.uid());
        assertThat(loaded.options().sampling()).isEqualTo(saved.options().sampling());
        assertThat(loaded.options().textColumn()).isEqualTo("answer");
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
        return ((EngineBackendFactory) generator.options().backend()).settings();
    }

    @Test
    void transformSchemaNamesAMissingInputColumn() {
        LlmGenerator generator = generator().setInputCol("prompt_text");

        assertThatThrownBy(() -> generator.transformSchema(questions.schema()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Cannot read prompts: the input has no 'prompt_text' column (string)");
    }

    private static Map<Integer, String> byId(Dataset<Row> rows, String column) {
        return rows.select("n_id", column).collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getInt(0), r -> r.getString(1)));
    }
}
