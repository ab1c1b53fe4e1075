package dev.canopy.pipeline.batch;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.canopy.pipeline.distributed.GenerationProgress;
import dev.canopy.pipeline.distributed.LiveProgress;
import dev.canopy.pipeline.distributed.ProgressCounts;
import dev.canopy.pipeline.progress.ProgressReporter;

/**
 * Logs {@link ProgressReporter}'s line on the driver every interval while generation runs. Rows of running
 * partitions count as the executors' heartbeats report them ({@link LiveProgress}); the closing line has the exact
 * counts of the finished job, the metrics' numbers.
 */
final class ProgressLog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressLog.class);

    private final GenerationProgress progress;
    private final LiveProgress live;
    private final ProgressReporter reporter;
    private final ScheduledExecutorService timer;

    /**
     * @param maxOutputTokens most tokens this run's rows may generate, for the ETA while no row has finished
     */
    ProgressLog(SparkContext context, GenerationProgress progress, long committedBefore, long total,
                long maxOutputTokens, Duration interval) {
        this.progress = progress;
        this.live = LiveProgress.attach(context, progress);
        this.reporter = new ProgressReporter(committedBefore, total, maxOutputTokens);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "canopy-progress");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        timer.scheduleAtFixedRate(() -> LOG.info(line(live.counts())), millis, millis, TimeUnit.MILLISECONDS);
    }

    /** The progress line for {@code counts} of this run at this moment. */
    String line(ProgressCounts counts) {
        return reporter.line(counts.rows(), counts.completionTokens(), counts.prefixSaving());
    }

    /** Stops the timer and logs the exact counts. */
    @Override
    public void close() {
        timer.shutdownNow();
        live.close();
        LOG.info(line(progress.counts()));
    }
}
