package dev.canopy.pipeline.input;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.pipeline.SharedSpark;

class InputReaderTest {

    private final SparkSession spark = SharedSpark.session();

    @TempDir
    Path dir;

    private InputColumns columns(Dataset<Row> input) {
        return InputSchema.validate(input.schema(), "prompt", "messages", "id", List.of("generated_text"));
    }

    @Test
    void csvWithAHeaderGivesTypedParameterColumns() throws IOException {
        Path csv = Files.writeString(dir.resolve("in.csv"), "id,prompt,max_tokens,temperature\n1,Once,8,0.5\n");

        InputColumns columns = columns(InputReader.read(spark, new InputSpec(csv.toString(), InputFormat.CSV)));

        assertThat(columns.source()).isEqualTo(PromptSource.PROMPT);
        assertThat(columns.paramIndex(RowParam.MAX_TOKENS)).contains(2);
        assertThat(columns.paramIndex(RowParam.TEMPERATURE)).contains(3);
        assertThat(columns.idFromInput()).isTrue();
    }

    @Test
    void multiLineJsonAndCatalogTablesAreRead() throws IOException {
        Path json = Files.writeString(dir.resolve("in.json"), "[\n {\"prompt\": \"a\",\n  \"seed\": 3},\n"
                + " {\"prompt\": \"b\", \"seed\": 4}\n]\n");
        Dataset<Row> fromJson = InputReader.read(spark, new InputSpec(json.toString(), InputFormat.JSON));
        fromJson.createOrReplaceTempView("canopy_prompts");

        Dataset<Row> fromTable = InputReader.read(spark, new InputSpec("canopy_prompts", InputFormat.TABLE));

        assertThat(fromJson.count()).isEqualTo(2);
        assertThat(columns(fromTable).paramIndex(RowParam.SEED)).isPresent();
        assertThat(columns(fromTable).idFromInput()).isFalse();
    }

    @Test
    void aMistypedParameterColumnIsNamedWithWhatWasExpected() throws IOException {
        Path jsonl = Files.writeString(dir.resolve("in.jsonl"), "{\"prompt\": \"a\", \"max_tokens\": {\"many\": 5}}\n");
        Dataset<Row> input = InputReader.read(spark, new InputSpec(jsonl.toString(), InputFormat.JSONL));

        assertThatThrownBy(() -> columns(input))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("Cannot read prompts: column 'max_tokens' has type struct<many:bigint>, expected a numeric"
                        + " or string type");
    }

    @Test
    void anUnknownTableOrFormatIsNamed() {
        assertThatThrownBy(() -> InputReader.read(spark, new InputSpec("no_such_table", InputFormat.TABLE)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("Cannot read input 'no_such_table' as table: ");
        assertThatThrownBy(() -> InputFormat.parse("xml"))
                .hasMessage("Cannot use input format 'xml': expected one of parquet, jsonl, json, csv, table,"
                        + " openai-batch");
    }

    @Test
    void aParquetFileNested100000LevelsDeepFailsTheReadBeforeSparkParsesIt() throws IOException {
        String table = dir.resolve("table").toString();
        spark.read().json(Files.writeString(dir.resolve("good.jsonl"), "{\"prompt\": \"Once\"}\n").toString())
                .write().parquet(table);
        Path deep = HostileParquet.write(dir.resolve("table/part-99999-deep.parquet"), HostileParquet.nested(100_000),
                List.of());

        assertThatThrownBy(() -> InputReader.read(spark, new InputSpec(table, InputFormat.PARQUET)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("Cannot read input: Parquet file file:" + deep + " is refused before Spark reads it: its"
                        + " schema nests groups more than 64 levels deep (at element 65 'g64')");
        Files.delete(deep);
        assertThat(InputReader.read(spark, new InputSpec(table, InputFormat.PARQUET)).count()).isEqualTo(1);
    }

    @Test
    void aJobSetsTheParquetFooterLimitsWithSparkSettings() throws IOException {
        String table = dir.resolve("limits").toString();
        spark.read().json(Files.writeString(dir.resolve("two.jsonl"), "{\"prompt\": \"Once\", \"id\": 1}\n").toString())
                .write().parquet(table);
        try {
            spark.conf().set("spark.canopy.input.parquet.maxColumns", "1");
            assertThatThrownBy(() -> InputReader.read(spark, new InputSpec(table, InputFormat.PARQUET)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("is refused before Spark reads it: its schema has more than 1 columns");
            spark.conf().set("spark.canopy.input.parquet.maxColumns", "many");
            assertThatThrownBy(() -> InputReader.read(spark, new InputSpec(table, InputFormat.PARQUET)))
                    .hasMessageEndingWith("Cannot use setting spark.canopy.input.parquet.maxColumns='many': expected a"
                            + " positive whole number (default 10000)");
            spark.conf().set("spark.canopy.input.parquet.maxColumns", "2");
            assertThat(InputReader.read(spark, new InputSpec(table, InputFormat.PARQUET)).count()).isEqualTo(1);
        } finally {
            spark.conf().unset("spark.canopy.input.parquet.maxColumns");
        }
    }
}
