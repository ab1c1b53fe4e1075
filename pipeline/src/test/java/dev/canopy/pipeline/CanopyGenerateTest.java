package dev.canopy.pipeline;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.spark_partition_id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.pipeline.input.InvalidInputException;

class CanopyGenerateTest {

    private final SparkSession spark = SharedSpark.session();
    private final GenerateOptions options = GenerateOptions.of(ByteEchoAdapter.named("echo"));

    @Test
    void everyRowComesOutOnceWithItsGeneratedText() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            rows.add(RowFactory.create("row-" + i, "topic " + (i % 4) + " question " + i));
        }
        Dataset<Row> input = spark.createDataFrame(rows, new StructType()
                .add("id", DataTypes.StringType).add("prompt", DataTypes.StringType));

        List<Row> out = Canopy.generate(input, options.withPartitions(3)).collectAsList();

        assertThat(out).hasSize(40);
        assertThat(out).extracting(r -> r.<String>getAs("id")).doesNotHaveDuplicates();
        for (Row r : out) {
            String prompt = r.getAs("prompt");
            assertThat(r.<String>getAs("generated_text")).isEqualTo(ByteEchoAdapter.expectedText(prompt, 0, 0, 64));
            assertThat(r.<String>getAs("finish_reason")).isEqualTo("stop");
            assertThat(r.<Integer>getAs("prompt_tokens")).isEqualTo(prompt.length() + 1);
            assertThat(r.<String>getAs("error")).isNull();
            assertThat(r.<String>getAs("model")).isEqualTo("echo");
        }
    }

    @Test
    void rowsSharingAPrefixLandInOnePartitionAndReuseIt() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            rows.add(RowFactory.create("system prompt number " + (i % 3) + " then " + i));
        }
        Dataset<Row> input = spark.createDataFrame(rows, new StructType().add("prompt", DataTypes.StringType));

        Dataset<Row> out = Canopy.generate(input, options.withPartitions(3).withPrefixKeyTokens(24));
        Map<String, List<Integer>> partitionsByPrefix = out
                .select(col("prompt").substr(1, 22).as("prefix"), spark_partition_id().as("p"))
                .collectAsList().stream()
                .collect(Collectors.groupingBy(r -> r.getString(0),
                        Collectors.mapping(r -> r.getInt(1), Collectors.toList())));

        assertThat(partitionsByPrefix).hasSize(3);
        partitionsByPrefix.values().forEach(p -> assertThat(p.stream().distinct()).hasSize(1));
        long cached = out.agg(org.apache.spark.sql.functions.sum("cached_prompt_tokens")).first().getLong(0);
        assertThat(cached).as("rows after the first of each group share 22+ tokens").isGreaterThan(57 * 22);
    }

    @Test
    void synthesizedIdsAreStableAndUniqueForIdenticalRows() {
        List<Row> rows = List.of(RowFactory.create("same"), RowFactory.create("same"), RowFactory.create("other"));
        Dataset<Row> input = spark.createDataFrame(rows, new StructType().add("prompt", DataTypes.StringType));

        List<String> first = Canopy.generate(input, options).select("id").as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList();
        List<String> second = Canopy.generate(input.repartition(3), options.withPartitions(2)).select("id")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();

        assertThat(first).doesNotHaveDuplicates().hasSize(3);
        assertThat(second).containsExactlyInAnyOrderElementsOf(first);
        assertThat(first).anyMatch(id -> id.endsWith("-2"));
    }

    @Test
    void malformedRowsGetPerRowErrors() {
        StructType schema = new StructType().add("id", DataTypes.LongType).add("prompt", DataTypes.StringType)
                .add("temperature", DataTypes.DoubleType).add("max_tokens", DataTypes.IntegerType);
        List<Row> rows = List.of(
                RowFactory.create(1L, "fine", null, null),
                RowFactory.create(2L, null, null, null),
                RowFactory.create(3L, "", null, null),
                RowFactory.create(4L, "x".repeat(80), null, null),
                RowFactory.create(5L, "bad temperature", -1.0, null),
                RowFactory.create(6L, "bad max tokens", null, 0),
                RowFactory.create(1L, "duplicate of 1", null, null),
                RowFactory.create(null, "no id", null, null));
        Dataset<Row> input = spark.createDataFrame(rows, schema);

        Map<Object, String> errors = new java.util.HashMap<>();
        Dataset<Row> out = Canopy.generate(input, options);
        for (Row r : out.collectAsList()) {
            errors.merge(r.get(0) == null ? "null" : r.get(0), String.valueOf((Object) r.getAs("error")),
                    (a, b) -> a + " | " + b);
        }

        assertThat(out.count()).isEqualTo(8);
        assertThat(errors.get(1L)).contains("null").contains("duplicate_id: Cannot generate: id '1' appears earlier");
        assertThat(errors.get(2L)).isEqualTo("null_prompt: Cannot generate: column 'prompt' is null");
        assertThat(errors.get(3L)).isEqualTo("empty_prompt: Cannot generate: the prompt in column 'prompt' is empty");
        assertThat(errors.get(4L)).startsWith("prompt_too_long: Cannot generate: the prompt has 81 tokens");
        assertThat(errors.get(5L)).isEqualTo(
                "invalid_params: field temperature: Cannot use sampling parameters: temperature must be in [0, inf) (0 = greedy), got -1.0");
        assertThat(errors.get(6L)).isEqualTo("invalid_params: field max_tokens: Cannot use sampling parameters: maxTokens must be in [1, 2^31), got 0");
        assertThat(errors.get("null")).isEqualTo("null_id: Cannot generate: id column 'id' is null");
    }

    @Test
    void chatMessagesAreRenderedAndManyChoicesListed() {
        StructType message = new StructType().add("role", DataTypes.StringType).add("content", DataTypes.StringType);
        StructType schema = new StructType().add("messages", DataTypes.createArrayType(message));
        Dataset<Row> input = spark.createDataFrame(List.of(RowFactory.create(
                List.of(RowFactory.create("user", "hi")))), schema);

        Row out = Canopy.generate(input, options.withSampling(GenerateOptions.DEFAULT_SAMPLING.toBuilder().n(2).seed(7).build()))
                .first();

        String prompt = "user: hi\nassistant:";
        assertThat(out.<String>getAs("generated_text")).isEqualTo(ByteEchoAdapter.expectedText(prompt, 7, 0, 64));
        List<Row> choices = out.getList(out.fieldIndex("choices"));
        assertThat(choices).extracting(c -> c.getString(1)).containsExactly(
                ByteEchoAdapter.expectedText(prompt, 7, 0, 64), ByteEchoAdapter.expectedText(prompt, 7, 1, 64));
    }

    @Test
    void aMistypedPromptColumnFailsBeforeAnyWorkNamingTheColumn() {
        Dataset<Row> input = spark.range(3).toDF("prompt");

        assertThatThrownBy(() -> Canopy.generate(input, options))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("Cannot read prompts: column 'prompt' has type bigint, expected string");
    }

    @Test
    void aMissingPromptColumnNamesTheColumnsThereAre() {
        Dataset<Row> input = spark.range(3).toDF("text");

        assertThatThrownBy(() -> Canopy.generate(input, options))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("Cannot read prompts: the input has no 'prompt' column (string) and no 'messages' column"
                        + " (array<struct<role:string,content:string>>); its columns are [text]");
    }
}
