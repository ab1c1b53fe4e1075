package dev.canopy.pipeline.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.partition.CostBalancedRanges;

class KeySampleTest {

    private final SparkSession spark = SharedSpark.session();

    @Test
    void belowTheSampleSizeEveryRowIsKeptWithItsOwnCost() {
        KeySample sample = KeySample.of(keys(40, 4), 100);

        assertThat(sample.rows()).isEqualTo(40);
        assertThat(sample.weights()).hasSize(40);
        assertThat(sample.weights().stream().mapToLong(CostBalancedRanges.Weighted::cost).sum())
                .isEqualTo(totalCost(40));
    }

    @Test
    void aboveItTheSampleIsBoundedAndItsScaledCostsAddUpToAboutTheTotal() {
        KeySample sample = KeySample.of(keys(3000, 3), 300);

        assertThat(sample.rows()).isEqualTo(3000);
        assertThat(sample.maxOutputTokens()).as("summed over every row, not sampled").isEqualTo(3000 * 8);
        assertThat(sample.weights()).hasSize(300);
        double sampled = sample.weights().stream().mapToLong(CostBalancedRanges.Weighted::cost).sum();
        // each of the 3 partitions keeps 300 rows scaled to its cost; 300 of those 900 stand for a third of it
        assertThat(sampled * 3)
                .isBetween(totalCost(3000) * 0.8, totalCost(3000) * 1.2);
    }

    /** Rows i = 0..n-1: prefix [i % 7], tie-break i, cost i % 10 + 1, 8 output tokens; in {@code partitions} partitions. */
    private Dataset<Row> keys(int n, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create(List.of(i % 7), (long) i, (long) (i % 10 + 1), 8L));
        }
        StructType schema = new StructType()
                .add("prefix", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
                .add("tie_break", DataTypes.LongType, false)
                .add("cost", DataTypes.LongType, false)
                .add("max_output", DataTypes.LongType, false);
        return spark.createDataFrame(rows, schema).repartition(partitions);
    }

    private static long totalCost(int n) {
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += i % 10 + 1;
        }
        return sum;
    }
}
