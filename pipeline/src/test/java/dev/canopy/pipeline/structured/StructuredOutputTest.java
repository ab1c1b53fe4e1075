package dev.canopy.pipeline.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.TestModels;
import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.engine.EngineSettings;
import dev.canopy.pipeline.ml.LlmGenerator;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** A Spark DDL output schema constrains every row to JSON of that type and adds the typed value as a struct column. */
class StructuredOutputTest {

    /**
     * Bounded values only: stories260K seldom ends a free string, number or array it is forced into, so with
     * those the rows would not finish in a test's token budget (the engine tests cover them with bounds).
     */
    private static final String DDL = "ok BOOLEAN, inner STRUCT<good: BOOLEAN, fine: BOOLEAN>";

    private final SparkSession spark = SharedSpark.session();
    private final GenerateOptions options = GenerateOptions.of(new EngineAdapterFactory(
            TestModels.stories260kF32().toString(), EngineSettings.defaults().withKvBudgetBytes(32L << 20)));

    @Test
    void ddlBecomesAClosedJsonSchemaWithEveryFieldRequired() {
        assertThat(OutputSchema.jsonSchema("label STRING, score DOUBLE, tags ARRAY<STRING>")).isEqualTo(
                "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"label\":{\"type\":\"string\"},"
                + "\"score\":{\"type\":\"number\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}}},"
                + "\"required\":[\"label\",\"score\",\"tags\"]}");
    }

    @Test
    void aTypeWithoutJsonFormIsAJobError() {
        assertThatThrownBy(() -> options.withOutputSchema("blob BINARY"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column 'blob' has type binary");
        assertThatThrownBy(() -> options.withOutputSchema("label STRING,,"))
                .hasMessageContaining("is not a Spark DDL struct");
    }

    @Test
    void generatedJsonIsParsedIntoATypedColumnBesideTheText() {
        List<Row> rows = List.of(RowFactory.create(1L, "Once upon a time", 300), RowFactory.create(2L, "The cat", 300),
                RowFactory.create(3L, "Lily saw a dog", 2));
        Dataset<Row> input = spark.createDataFrame(rows, new StructType().add("id", DataTypes.LongType)
                .add("prompt", DataTypes.StringType).add("max_tokens", DataTypes.IntegerType));

        Dataset<Row> out = Canopy.generate(input, options.withOutputSchema(DDL).withPartitions(2));

        assertThat(out.schema().apply("generated_text_parsed").dataType()).isEqualTo(OutputSchema.structType(DDL));
        int parsed = 0;
        for (Row r : out.collectAsList()) {
            Row value = r.getAs("generated_text_parsed");
            if (r.getAs("error") != null) { // max_tokens ran out before the value was complete
                assertThat(r.<String>getAs("error")).contains("the value is incomplete after");
                continue;
            }
            assertThat(value).as("parsed %s", r).isNotNull();
            assertThat(value.<Boolean>getAs("ok")).isNotNull();
            assertThat(value.<Row>getAs("inner").<Boolean>getAs("good")).isNotNull();
            parsed++;
        }
        assertThat(parsed).isGreaterThanOrEqualTo(1);
        Row cut = out.filter("id = 3").first();
        assertThat(cut.<String>getAs("error")).contains("incomplete after 2 tokens");
        assertThat(cut.<String>getAs("generated_text")).as("the text so far is kept").startsWith("{").hasSizeGreaterThan(1);
        assertThat(cut.<String>getAs("finish_reason")).isEqualTo("length");
    }

    @Test
    void llmGeneratorAddsTheTypedColumnToItsSchema() {
        LlmGenerator generator = new LlmGenerator().setModelPath(TestModels.stories260kF32().toString())
                .setOutputSchema("label STRING");
        StructType out = generator.transformSchema(new StructType().add("prompt", DataTypes.StringType));
        assertThat(out.apply("generated_text_parsed").dataType()).isEqualTo(OutputSchema.structType("label STRING"));
    }

    @Test
    void theSqlFunctionTakesTheOutputSchemaAsAnArgument() {
        spark.createDataFrame(List.of(RowFactory.create(1L, "Once upon a time"), RowFactory.create(2L, "The cat")),
                new StructType().add("id", DataTypes.LongType).add("prompt", DataTypes.StringType))
                .createOrReplaceTempView("canopy_structured_prompts");

        Dataset<Row> out = spark.sql("SELECT id, generated_text, generated_text_parsed.ok AS ok, error FROM"
                + " canopy_generate(TABLE(canopy_structured_prompts), model => '" + TestModels.stories260kF32()
                + "', max_tokens => 64, output_schema => 'ok BOOLEAN')");

        assertThat(out.schema().apply("ok").dataType()).isEqualTo(DataTypes.BooleanType);
        for (Row r : out.collectAsList()) {
            assertThat(r.<String>getAs("error")).as("row %s", r).isNull();
            assertThat(r.<String>getAs("generated_text")).startsWith("{").endsWith("}");
            assertThat(r.<Boolean>getAs("ok")).isNotNull();
        }
    }
}
