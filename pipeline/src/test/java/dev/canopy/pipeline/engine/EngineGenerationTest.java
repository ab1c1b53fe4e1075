package dev.canopy.pipeline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.generate.InvalidModelException;

/** The pipeline on the real stories260K model: Spark partitioning does not change any row's text. */
class EngineGenerationTest {

    private final SparkSession spark = SharedSpark.session();
    private final String model = TestModels.stories260kF32().toString();
    /** The engine with a KV cache sized for a test JVM (the cache lives on the heap). */
    private final GenerateOptions options = GenerateOptions.of(new EngineAdapterFactory(model,
            EngineSettings.defaults().withKvBudgetBytes(32L << 20)));

    @TempDir
    Path dir;

    @Test
    void eachRowGeneratesWhatTheEngineGeneratesForItAlone() {
        String[] starts = {"Once upon a time, there was a little girl named Lily. She loved to play outside in the park"
                + " with her friends and her big red ball.", "One day, a small dog ran to the park. The dog was very"
                + " happy because the sun was warm and the grass was green."};
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            rows.add(RowFactory.create((long) i, starts[i % 2] + " " + (i < 6 ? "She" : "He") + " saw",
                    i % 3 == 0 ? 0.0 : 0.8, (long) i, 12 + i % 4));
        }
        Dataset<Row> input = spark.createDataFrame(rows, new StructType().add("id", DataTypes.LongType)
                .add("prompt", DataTypes.StringType).add("temperature", DataTypes.DoubleType)
                .add("seed", DataTypes.LongType).add("max_tokens", DataTypes.IntegerType));

        List<Row> out = Canopy.generate(input, options.withPartitions(3)).collectAsList();

        Map<Long, String> expected = new HashMap<>();
        try (Engine engine = Engine.open(EngineConfig.defaults(Path.of(model)).withThreads(1)
                .withKvBudgetBytes(32L << 20))) {
            for (Row r : rows) {
                SamplingParams params = GenerateOptions.DEFAULT_SAMPLING.toBuilder().temperature(r.getDouble(2))
                        .seed(r.getLong(3)).maxTokens(r.getInt(4)).build();
                GenerationResult alone = engine.generate(List.of(new GenerationRequest("x", r.getString(1), params)))
                        .getFirst();
                expected.put(r.getLong(0), alone.text());
            }
        }
        assertThat(out).hasSize(12);
        for (Row r : out) {
            assertThat(r.<String>getAs("error")).isNull();
            assertThat(r.<String>getAs("generated_text")).as("row %s", r.<Long>getAs("id"))
                    .isEqualTo(expected.get(r.<Long>getAs("id")));
            assertThat(r.<String>getAs("model")).isEqualTo("stories260K-f32.gguf");
        }
        long cached = out.stream().mapToLong(r -> r.<Integer>getAs("cached_prompt_tokens")).sum();
        assertThat(cached).as("shared story openings come from the prefix cache").isPositive();
    }

    @Test
    void aPromptLongerThanTheContextIsARowError() {
        Dataset<Row> input = spark.createDataFrame(List.of(RowFactory.create("Lily ".repeat(600)),
                RowFactory.create("Lily")), new StructType().add("prompt", DataTypes.StringType));

        List<Row> out = Canopy.generate(input, options).collectAsList();

        assertThat(out).extracting(r -> String.valueOf((Object) r.getAs("error")))
                .anyMatch(e -> e.startsWith("prompt_too_long: Cannot generate: the prompt has ")
                        && e.endsWith("tokens but the model's context holds 512 (prompt plus at least one generated"
                        + " token)"))
                .contains("null");
    }

    @Test
    void chatMessagesFailPerRowWhenTheModelHasNoChatTemplate() {
        StructType message = new StructType().add("role", DataTypes.StringType).add("content", DataTypes.StringType);
        Dataset<Row> input = spark.createDataFrame(List.of(RowFactory.create(List.of(RowFactory.create("user",
                "hi")))), new StructType().add("messages", DataTypes.createArrayType(message)));

        Row out = Canopy.generate(input, options).first();

        assertThat(out.<String>getAs("error")).isEqualTo("invalid_messages: Cannot render messages: the model has no"
                + " chat template (tokenizer.chat_template); give prompts as strings instead");
    }

    @Test
    void aMissingModelFileIsNamed() {
        String missing = dir.resolve("nope.gguf").toString();

        assertThatThrownBy(() -> EngineAdapterFactory.forModel(missing).describe())
                .isInstanceOf(InvalidModelException.class)
                .hasMessage("Cannot open model '" + missing + "': no such file");
    }

    @Test
    void aCorruptModelFileIsNamedWithItsProblem() throws IOException {
        Path corrupt = dir.resolve("corrupt.gguf");
        byte[] bytes = Files.readAllBytes(Path.of(model));
        Files.write(corrupt, java.util.Arrays.copyOf(bytes, bytes.length / 2));

        assertThatThrownBy(() -> EngineAdapterFactory.forModel(corrupt.toString()).describe())
                .isInstanceOf(InvalidModelException.class)
                .hasMessageStartingWith("Cannot open model '" + corrupt + "': ");
    }

    @Test
    void theFingerprintFollowsTheFileContent() throws IOException {
        Path copy = dir.resolve("copy.gguf");
        Files.copy(Path.of(model), copy);
        String before = EngineAdapterFactory.forModel(copy.toString()).describe().fingerprint();
        byte[] bytes = Files.readAllBytes(copy);
        bytes[bytes.length - 1] ^= 1;
        Files.write(copy, bytes);

        assertThat(EngineAdapterFactory.forModel(copy.toString()).describe().fingerprint()).isNotEqualTo(before);
        assertThat(before).startsWith(bytes.length + ":");
    }
}
