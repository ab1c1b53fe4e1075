package dev.canopy.pipeline.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.apache.spark.api.java.function.ForeachPartitionFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import dev.canopy.pipeline.SharedSpark;

/**
 * A Spark task that waits for a helper thread which died of a StackOverflowError (as Spark's footer-reading pool
 * did on a 100,000-level Parquet schema) would wait forever; the watchdog fails the job naming the error, and the
 * next job runs.
 */
class StallWatchdogTest {

    private final SparkSession spark = SharedSpark.session();

    @Test
    void aTaskWaitingForAThreadThatOverflowedItsStackIsFailedNamingTheError() {
        StallLimits limits = new StallLimits(Duration.ofSeconds(2), Duration.ofMinutes(10), Duration.ofMillis(200));
        try (StallWatchdog watchdog = StallWatchdog.start(spark.sparkContext(), limits)) {
            // the job is cancelled and this (the job's) thread interrupted: whichever lands first ends the wait
            assertThatThrownBy(() -> spark.range(1).repartition(1).foreachPartition(
                    (ForeachPartitionFunction<Long>) rows -> waitForAThreadThatOverflows()))
                    .isInstanceOfAny(InterruptedException.class, org.apache.spark.SparkException.class);
            assertThat(watchdog.failure()).hasValueSatisfying(message -> assertThat(message)
                    .startsWith("Cannot finish the job: no progress for ")
                    .contains("since java.lang.StackOverflowError in thread 'hostile-footer-reader' ended that thread"));
        }
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(spark.range(100).count()).isEqualTo(100);
    }

    @Test
    void aJobThatProgressesIsLeftAlone() {
        StallLimits limits = new StallLimits(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMillis(100));
        try (StallWatchdog watchdog = StallWatchdog.start(spark.sparkContext(), limits)) {
            assertThat(spark.range(1000).repartition(4).count()).isEqualTo(1000);
            assertThat(watchdog.failure()).isEmpty();
        }
    }

    /** Like a future run on a pool whose thread a fatal error ends: nobody completes it. */
    private static void waitForAThreadThatOverflows() throws Exception {
        CompletableFuture<Void> footer = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            recurse(0);
            footer.complete(null);
        }, "hostile-footer-reader");
        reader.start();
        footer.get();
    }

    private static int recurse(int depth) {
        return recurse(depth + 1) + 1;
    }
}
