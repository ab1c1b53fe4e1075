package dev.canopy.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.pipeline.batch.BatchJobSpec;
import dev.canopy.pipeline.batch.BatchRun;
import dev.canopy.pipeline.batch.OutputFormat;
import dev.canopy.pipeline.input.InputFormat;
import dev.canopy.pipeline.input.InputSpec;

/**
 * Each row's chat messages are rendered and its prompt tokenized once per job, by the planning step; generation
 * reads the stored tokens (and a row's error, kept in its row), whether a batch job or the library runs it.
 */
class PreparedOnceTest {

    private static final int ROWS = 24;
    private static final StructType MESSAGE = new StructType()
            .add("role", DataTypes.StringType).add("content", DataTypes.StringType);

    private final SparkSession spark = SharedSpark.session();

    @TempDir
    Path dir;

    @Test
    void aBatchJobRendersAndTokenizesEachRowOnce() {
        CountingAdapter backend = CountingAdapter.of(ByteEchoAdapter.named("echo"), spark.sparkContext());
        String input = dir.resolve("in.parquet").toString();
        chats().write().parquet(input);
        BatchJobSpec spec = new BatchJobSpec(new InputSpec(input, InputFormat.PARQUET), dir.resolve("out").toString(),
                OutputFormat.PARQUET, GenerateOptions.of(backend).withPartitions(3), false, Duration.ofSeconds(1));

        assertThat(BatchRun.run(spark, spec).complete()).isTrue();

        assertEveryRowOnce(spark.read().parquet(spec.output()).collectAsList());
        assertThat(backend.renders().value()).as("the row without a role fails before rendering").isEqualTo(ROWS - 1);
        assertThat(backend.encodes().value()).isEqualTo(ROWS - 1);
    }

    @Test
    void theLibraryRendersAndTokenizesEachRowOnceWhileItsRowsAreHeld() {
        CountingAdapter backend = CountingAdapter.of(ByteEchoAdapter.named("echo"), spark.sparkContext());

        Dataset<Row> out = Canopy.generate(chats(), GenerateOptions.of(backend).withPartitions(3));
        assertEveryRowOnce(out.collectAsList());
        assertEveryRowOnce(out.collectAsList());

        assertThat(backend.renders().value()).as("the row without a role fails before rendering").isEqualTo(ROWS - 1);
        assertThat(backend.encodes().value()).isEqualTo(ROWS - 1);
    }

    /** {@code ROWS} chats over three shared system prompts; the last one has a message without a role. */
    private Dataset<Row> chats() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ROWS - 1; i++) {
            rows.add(RowFactory.create("row-" + i, List.of(RowFactory.create("system", "be brief " + (i % 3)),
                    RowFactory.create("user", "question " + i))));
        }
        rows.add(RowFactory.create("bad", List.of(RowFactory.create(null, "no role"))));
        return spark.createDataFrame(rows, new StructType().add("id", DataTypes.StringType)
                .add("messages", DataTypes.createArrayType(MESSAGE)));
    }

    private static void assertEveryRowOnce(List<Row> out) {
        assertThat(out).hasSize(ROWS);
        assertThat(out).extracting(r -> r.<String>getAs("id")).doesNotHaveDuplicates();
        for (Row r : out) {
            if (r.<String>getAs("id").equals("bad")) {
                assertThat(r.<String>getAs("error"))
                        .isEqualTo("invalid_messages: Cannot render messages: messages[0].role is null");
            } else {
                assertThat(r.<String>getAs("error")).isNull();
                assertThat(r.<String>getAs("generated_text")).startsWith("<0>system: be brief ");
            }
        }
    }
}
