package dev.canopy.pipeline.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import dev.canopy.pipeline.ByteEchoBackend;
import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.SlowEchoBackend;
import dev.canopy.pipeline.input.InputColumns;

class LiveProgressTest {

    private static final int ROWS = 24;

    private final SparkSession spark = SharedSpark.session();

    /** What the driver saw at one moment: the accumulators alone, and with the running task's heartbeats. */
    private record Seen(long accumulatorRows, long liveRows) {}

    @Test
    void countsRowsOfARunningPartitionFromHeartbeatsAndEndsWithTheExactCounts() throws Exception {
        List<Row> prompts = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            prompts.add(RowFactory.create("shared start; row " + i));
        }
        Dataset<Row> input = spark.createDataFrame(prompts, new StructType().add("prompt", DataTypes.StringType));
        GenerateOptions options = GenerateOptions.of(new SlowEchoBackend(ByteEchoBackend.named("slow"), 100))
                .withPartitions(1);
        InputColumns columns = Canopy.validate(input, options);
        GenerationProgress progress = GenerationProgress.register(spark.sparkContext());
        SparkGeneration.Plan plan = SparkGeneration.plan(RowIdentity.withIds(input, columns), columns, options,
                progress, false);

        List<Seen> seen = new ArrayList<>();
        List<Row> out;
        try (LiveProgress live = LiveProgress.attach(spark.sparkContext(), progress)) {
            CompletableFuture<List<Row>> job = CompletableFuture.supplyAsync(() -> plan.rows().collectAsList());
            while (!job.isDone()) {
                seen.add(new Seen(progress.counts().rows(), live.counts().rows()));
                Thread.sleep(50);
            }
            out = job.get();
            awaitEqual(live, progress.counts(), Duration.ofSeconds(10));
        }

        assertThat(seen).as("the one partition's rows show while it runs")
                .anyMatch(s -> s.accumulatorRows() == 0 && s.liveRows() > 0 && s.liveRows() < ROWS);
        assertThat(seen).extracting(Seen::liveRows).isSorted();
        long promptTokens = out.stream().mapToLong(r -> r.<Integer>getAs(ResultColumns.PROMPT_TOKENS)).sum();
        long completionTokens = out.stream().mapToLong(r -> r.<Integer>getAs(ResultColumns.COMPLETION_TOKENS)).sum();
        long cachedTokens = out.stream().mapToLong(r -> r.<Integer>getAs(ResultColumns.CACHED_PROMPT_TOKENS)).sum();
        assertThat(progress.counts()).isEqualTo(new ProgressCounts(ROWS, 0, promptTokens, cachedTokens,
                completionTokens));
        assertThat(progress.partitions()).singleElement()
                .satisfies(p -> assertThat(p.rows()).isEqualTo(ROWS))
                .satisfies(p -> assertThat(p.completionTokens()).isEqualTo(completionTokens));
    }

    /** Waits for the listener to see the task's end, after which live and exact counts agree. */
    private static void awaitEqual(LiveProgress live, ProgressCounts exact, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!live.counts().equals(exact) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(live.counts()).isEqualTo(exact);
    }
}
