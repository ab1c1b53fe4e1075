package dev.canopy.pipeline.query;

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

import dev.canopy.executor.TestModels;
import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.SharedSpark;

/** {@code canopy_generate} through {@code spark.sql}, registered by {@code spark.sql.extensions} (SharedSpark). */
class QueryGenerateTest {

    private static final String MODEL = TestModels.stories260kF32().toString();
    private final SparkSession spark = SharedSpark.session();

    /** Two prefix groups of four rows each: the rows of a group share their first sentence. */
    private Dataset<Row> prompts() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String prefix = i % 2 == 0 ? "Once upon a time, there was a little girl named Lily. She loved to play"
                    : "The big brown dog ran to the park with his friend the cat. They";
            rows.add(RowFactory.create("r" + i, prefix + " " + i));
        }
        Dataset<Row> df = spark.createDataFrame(rows, new StructType().add("id", DataTypes.StringType)
                .add("prompt", DataTypes.StringType));
        df.createOrReplaceTempView("canopy_prompts");
        return df;
    }

    @Test
    void generatesOverATableWithPrefixGroupsAsTheLibraryDoes() {
        Dataset<Row> input = prompts();

        Dataset<Row> out = spark.sql("SELECT id, generated_text, finish_reason, prompt_tokens, cached_prompt_tokens,"
                + " error FROM canopy_generate(TABLE(canopy_prompts), model => '" + MODEL + "', max_tokens => 6,"
                + " partitions => 2)");

        List<Row> rows = out.collectAsList();
        assertThat(rows).extracting(r -> r.getString(0)).containsExactlyInAnyOrder("r0", "r1", "r2", "r3", "r4",
                "r5", "r6", "r7");
        assertThat(rows).allMatch(r -> r.isNullAt(5) && !r.getString(1).isEmpty());
        assertThat(rows.stream().mapToInt(r -> r.getInt(4)).sum()).as("prefix tokens served from the cache")
                .isPositive();
        Map<String, String> library = texts(Canopy.generate(input,
                GenerateOptions.forModel(MODEL).withMaxTokens(6).withPartitions(2)));
        assertThat(texts(out)).isEqualTo(library);
    }

    @Test
    void takesAQueryAndOptionsAsAMap() {
        prompts();

        Dataset<Row> out = spark.sql("SELECT id, generated_text FROM canopy_generate(TABLE(SELECT * FROM"
                + " canopy_prompts WHERE id < 'r3'), '" + MODEL + "', map('max_tokens', '4', 'seed', '7'))");

        assertThat(out.collectAsList()).extracting(r -> r.getString(0)).containsExactlyInAnyOrder("r0", "r1", "r2");
    }

    @Test
    void aBadArgumentOrModelIsAnErrorNamingIt() {
        prompts();

        assertThatThrownBy(() -> spark.sql("SELECT * FROM canopy_generate(TABLE(canopy_prompts), model => '"
                + MODEL + "', max_tokenz => 4)").collectAsList())
                .hasMessageContaining("unknown argument 'max_tokenz'");
        assertThatThrownBy(() -> spark.sql("SELECT * FROM canopy_generate(TABLE(canopy_prompts),"
                + " model => 'no/such.gguf')").collectAsList())
                .hasMessageContaining("Cannot open model 'no/such.gguf': no such file");
    }

    private static Map<String, String> texts(Dataset<Row> rows) {
        return rows.select("id", "generated_text").collectAsList().stream()
                .collect(Collectors.toMap(r -> r.getString(0), r -> r.getString(1)));
    }
}
