package dev.canopy.pipeline.batch;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.canopy.pipeline.distributed.GenerationProgress;
import dev.canopy.pipeline.distributed.LiveProgress;
import dev.canopy.pipeline.distributed.ProgressCounts;

/**
 * Logs a progress line on the driver every interval while generation runs: rows done of total, tokens/s,
 * prefix saving and ETA. Rows of running partitions count as the executors' heartbeats report them
 * ({@link LiveProgress}); the closing line has the exact counts of the finished job, the metrics' numbers.
 */
final class ProgressReporter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

    private final GenerationProgress progress;
    private final LiveProgress live;
    private final long committedBefore;
    private final long total;
    private final long maxOutputTokens;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;

    /**
     * @param maxOutputTokens most tokens this run's rows may generate, for the ETA while no row has finished
     */
    ProgressReporter(SparkContext context, GenerationProgress progress, long committedBefore, long total,
                     long maxOutputTokens, Duration interval) {
        this.progress = progress;
        this.live = LiveProgress.attach(context, progress);
        this.committedBefore = committedBefore;
        this.total = total;
        this.maxOutputTokens = maxOutputTokens;
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
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        long doneNow = Math.min(counts.rows(), total - committedBefore);
        long done = committedBefore + doneNow;
        String eta = eta(seconds, doneNow, total - done, counts.completionTokens())
                .map(s -> String.format(Locale.ROOT, "%.0fs", s)).orElse("unknown");
        return String.format(Locale.ROOT,
                "progress: %d/%d rows (%.1f%%), %d tokens generated, %.1f tokens/s, prefix saving %.1f%%, ETA %s",
                done, total, total == 0 ? 100.0 : 100.0 * done / total, counts.completionTokens(),
                counts.completionTokens() / seconds, 100.0 * counts.prefixSaving(), eta);
    }

    /**
     * Seconds left: at the rate rows finished so far, or while none has, at the rate tokens came for the tokens
     * the rows may still generate (the sooner of the two when both are known: rows stopping early make the
     * tokens' estimate long).
     */
    private Optional<Double> eta(double seconds, long rowsDone, long rowsLeft, long tokensDone) {
        Optional<Double> byRows = rowsDone == 0 ? Optional.empty() : Optional.of(seconds / rowsDone * rowsLeft);
        Optional<Double> byTokens = tokensDone == 0 || maxOutputTokens == 0 ? Optional.empty()
                : Optional.of(seconds / tokensDone * Math.max(0, maxOutputTokens - tokensDone));
        if (byRows.isPresent() && byTokens.isPresent()) {
            return Optional.of(Math.min(byRows.get(), byTokens.get()));
        }
        return byRows.isPresent() ? byRows : byTokens;
    }

    /** Stops the timer and logs the exact counts. */
    @Override
    public void close() {
        timer.shutdownNow();
        live.close();
        LOG.info(line(progress.counts()));
    }
}
