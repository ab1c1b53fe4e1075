package dev.canopy.pipeline.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import scala.jdk.javaapi.CollectionConverters;

import dev.canopy.pipeline.ByteEchoAdapter;
import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.SlowEchoAdapter;
import dev.canopy.pipeline.input.InputColumns;

class LiveProgressTest {

    private static final int ROWS = 24;

    private final SparkSession spark = SharedSpark.session();

    /** What the driver saw at one moment: the accumulators alone, and with the running task's heartbeats. */
    private record Seen(ProgressCounts accumulator, ProgressCounts live) {}

    @Test
    void countsRowsOfARunningPartitionFromHeartbeatsAndEndsWithTheExactCounts() throws Exception {
        Watched run = watch(new SlowEchoAdapter(ByteEchoAdapter.named("slow"), 100, false));
        assumeHeartbeatsArrived(run);

        assertThat(run.seen()).as("the one partition's rows show while it runs")
                .anyMatch(s -> s.accumulator().rows() == 0 && s.live().rows() > 0 && s.live().rows() < ROWS);
        assertThat(run.seen()).extracting(s -> s.live().rows()).isSorted();
        assertExactCounts(run);
    }

    @Test
    void showsTokensOfRowsThatHaveNotFinishedYet() throws Exception {
        Watched run = watch(new SlowEchoAdapter(ByteEchoAdapter.named("lockstep"), 100, true));
        assumeHeartbeatsArrived(run);

        assertThat(run.seen()).as("engine steps report their tokens while every row is still generating")
                .anyMatch(s -> s.live().rows() == 0 && s.live().completionTokens() > 0);
        assertThat(run.seen()).extracting(s -> s.live().completionTokens()).isSorted();
        assertExactCounts(run);
    }

    /**
     * A job's output, what the driver saw at each poll while it ran, its exact counts at the end, and the heartbeats
     * that reached the driver meanwhile.
     */
    private record Watched(List<Row> out, List<Seen> seen, GenerationProgress progress, Heartbeats heartbeats) {}

    /**
     * Every executor heartbeat the driver posts while a job runs, whatever it carries: tells a heartbeat that did
     * not come (Spark's business) from one that came and was misread (ours).
     */
    private static final class Heartbeats extends SparkListener {
        private final AtomicInteger updates = new AtomicInteger();
        private final Map<Long, Integer> byTask = new ConcurrentHashMap<>();
        private final Set<Long> generatingTasks = ConcurrentHashMap.newKeySet(); // ended counting canopy rows
        private final Set<String> accumulatorNames = ConcurrentHashMap.newKeySet();

        @Override
        public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
            updates.incrementAndGet();
            for (var task : CollectionConverters.asJava(update.accumUpdates())) {
                byTask.merge((Long) task._1(), 1, Integer::sum);
                for (AccumulableInfo info : CollectionConverters.asJava(task._4())) {
                    accumulatorNames.add(info.name().getOrElse(() -> "#" + info.id()));
                }
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
            for (AccumulableInfo info : CollectionConverters.asJava(taskEnd.taskInfo().accumulables())) {
                if (info.name().isDefined() && info.name().get().startsWith("canopy.")) {
                    generatingTasks.add(taskEnd.taskInfo().taskId());
                }
            }
        }

        /** Heartbeats that carried the task that generated the rows (Spark's metrics or ours). */
        int ofGeneratingTask() {
            return generatingTasks.stream().mapToInt(id -> byTask.getOrDefault(id, 0)).sum();
        }

        @Override
        public String toString() {
            return updates + " heartbeats, " + byTask + " by task id, generating task(s) " + generatingTasks
                    + ", accumulators " + new TreeSet<>(accumulatorNames);
        }
    }

    /**
     * Live progress rides on Spark's executor heartbeats; where Spark delivered none for the running task (it
     * should every 200 ms here), there is nothing for {@link LiveProgress} to show and the test says so instead
     * of failing. A heartbeat that came and carried Spark's task metrics but not ours still fails the test.
     */
    private static void assumeHeartbeatsArrived(Watched run) {
        System.err.println("LiveProgressTest: " + run.heartbeats());
        assumeTrue(run.heartbeats().ofGeneratingTask() > 0,
                () -> "Spark posted no executor heartbeat for the generating task: " + run.heartbeats());
    }

    /** Runs {@code ROWS} prompts in one partition on {@code backend}, polling the progress every 50 ms. */
    private Watched watch(SlowEchoAdapter backend) throws Exception {
        List<Row> prompts = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            prompts.add(RowFactory.create("shared start; row " + i));
        }
        Dataset<Row> input = spark.createDataFrame(prompts, new StructType().add("prompt", DataTypes.StringType));
        GenerateOptions options = GenerateOptions.of(backend).withPartitions(1);
        InputColumns columns = Canopy.validate(input, options);
        GenerationProgress progress = GenerationProgress.register(spark.sparkContext());
        SparkGeneration.Plan plan = SparkGeneration.plan(RowIdentity.withIds(input, columns), columns, options,
                progress, SparkGeneration.PreparedCache.WHILE_REFERENCED);
        List<Seen> seen = new ArrayList<>();
        Heartbeats heartbeats = new Heartbeats();
        spark.sparkContext().addSparkListener(heartbeats);
        try (LiveProgress live = LiveProgress.attach(spark.sparkContext(), progress)) {
            CompletableFuture<List<Row>> job = CompletableFuture.supplyAsync(() -> plan.rows().collectAsList());
            while (!job.isDone()) {
                seen.add(new Seen(progress.counts(), live.counts()));
                Thread.sleep(50);
            }
            List<Row> out = job.get();
            awaitEqual(live, progress.counts(), Duration.ofSeconds(10));
            return new Watched(out, seen, progress, heartbeats);
        } finally {
            spark.sparkContext().removeSparkListener(heartbeats);
        }
    }

    /** The accumulators' final counts are the sums of the output rows' columns. */
    private static void assertExactCounts(Watched run) {
        long promptTokens = run.out().stream().mapToLong(r -> r.<Integer>getAs(ResultColumns.PROMPT_TOKENS)).sum();
        long completionTokens = run.out().stream()
                .mapToLong(r -> r.<Integer>getAs(ResultColumns.COMPLETION_TOKENS)).sum();
        long cachedTokens = run.out().stream()
                .mapToLong(r -> r.<Integer>getAs(ResultColumns.CACHED_PROMPT_TOKENS)).sum();
        assertThat(run.out()).hasSize(ROWS);
        assertThat(run.progress().counts()).isEqualTo(new ProgressCounts(ROWS, 0, promptTokens, cachedTokens,
                completionTokens));
        assertThat(run.progress().partitions()).singleElement()
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
