package dev.canopy.pipeline.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import dev.canopy.pipeline.ByteEchoAdapter;
import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.input.InputColumns;

class DuplicateIdsTest {

    private final SparkSession spark = SharedSpark.session();
    private final GenerateOptions options = GenerateOptions.of(ByteEchoAdapter.named("echo"));

    @Test
    void idsThatAppearOnceCannotRepeat() {
        assertThat(mayRepeat(input("a", "b", "c", "d"))).isFalse();
        assertThat(mayRepeat(input("a", null, "c"))).as("one null id").isFalse();
    }

    @Test
    void anIdThatAppearsTwiceMayRepeat() {
        assertThat(mayRepeat(input("a", "b", "c", "b"))).isTrue();
        assertThat(mayRepeat(input("a", null, "c", null))).as("two null ids commit together").isTrue();
    }

    @Test
    void synthesizedIdsNeverRepeat() {
        Dataset<Row> noIds = spark.createDataFrame(List.of(RowFactory.create("same"), RowFactory.create("same")),
                new StructType().add("prompt", DataTypes.StringType));
        InputColumns columns = Canopy.validate(noIds, options);

        assertThat(DuplicateIds.mayRepeat(RowIdentity.withIds(noIds, columns), columns)).isFalse();
    }

    @Test
    void uniqueIdsArePlannedWithoutTheWindowThatRanksDuplicates() {
        String[] ids = new String[20];
        Arrays.setAll(ids, i -> "row-" + i);

        assertThat(plannedRows(input(ids))).doesNotContain("Window");
        ids[7] = "row-3";
        assertThat(plannedRows(input(ids))).contains("Window");
    }

    private boolean mayRepeat(Dataset<Row> input) {
        InputColumns columns = Canopy.validate(input, options);
        return DuplicateIds.mayRepeat(RowIdentity.withIds(input, columns), columns);
    }

    /** The physical plan of the rows the planning job tokenized and grouped. */
    private String plannedRows(Dataset<Row> input) {
        InputColumns columns = Canopy.validate(input, options);
        SparkGeneration.Plan plan = SparkGeneration.plan(RowIdentity.withIds(input, columns), columns, options,
                GenerationProgress.register(spark.sparkContext()), SparkGeneration.PreparedCache.WHILE_REFERENCED);
        return plan.grouped().queryExecution().executedPlan().toString();
    }

    private Dataset<Row> input(String... ids) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            rows.add(RowFactory.create(ids[i], "prompt " + i));
        }
        return spark.createDataFrame(rows, new StructType().add("id", DataTypes.StringType)
                .add("prompt", DataTypes.StringType));
    }
}
