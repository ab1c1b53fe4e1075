package dev.canopy.pipeline.batch;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.canopy.pipeline.spark.GenerationProgress;

/**
 * Logs a progress line on the driver every interval while generation runs: rows done of total, tokens/s,
 * prefix saving and ETA, from the tasks' accumulators (which count a partition when it ends).
 */
final class ProgressReporter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

    private final GenerationProgress progress;
    private final long committedBefore;
    private final long total;
    private final long startNanos = System.nanoTime();
    private final ScheduledExecutorService timer;

    ProgressReporter(GenerationProgress progress, long committedBefore, long total, Duration interval) {
        this.progress = progress;
        this.committedBefore = committedBefore;
        this.total = total;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "canopy-progress");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        timer.scheduleAtFixedRate(() -> LOG.info(line()), millis, millis, TimeUnit.MILLISECONDS);
    }

    /** The current progress line. */
    String line() {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        long doneNow = progress.rows();
        long done = committedBefore + doneNow;
        long prompt = progress.promptTokens();
        double saving = prompt == 0 ? 0 : 100.0 * progress.cachedPromptTokens() / prompt;
        String eta = doneNow == 0 ? "unknown"
                : String.format(Locale.ROOT, "%.0fs", seconds / doneNow * Math.max(0, total - done));
        return String.format(Locale.ROOT, "progress: %d/%d rows (%.1f%%), %.1f tokens/s, prefix saving %.1f%%, ETA %s",
                done, total, total == 0 ? 100.0 : 100.0 * done / total, progress.completionTokens() / seconds,
                saving, eta);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        LOG.info(line());
    }
}
