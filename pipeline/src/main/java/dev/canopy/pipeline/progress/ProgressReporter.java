package dev.canopy.pipeline.progress;

import java.util.Locale;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The progress line of a generation run, for the Spark batch job's driver log and {@code canopy generate}'s stderr
 * alike: rows done of total, tokens generated and per second, prefix saving, and the ETA.
 *
 * <p>The ETA is the sooner of two estimates: at the rate rows finished so far, and at the rate tokens came for the
 * tokens the rows may still generate. The token estimate exists before any row has finished (a first planned
 * batch of long outputs finishes late), and it is an upper bound, as rows may stop before their token limit; the row
 * estimate corrects it once rows finish. (The CLI had used the row rate alone, with no ETA until a row finished.)
 */
public final class ProgressReporter {

    private final long committedBefore;
    private final long total;
    private final long maxOutputTokens;
    private final LongSupplier nanoTime;
    private final long startNanos;

    /**
     * @param committedBefore rows an earlier run already wrote (they count as done)
     * @param total           rows of the whole job, those committed before included
     * @param maxOutputTokens most tokens this run's rows may generate, for the ETA while no row has finished
     */
    public ProgressReporter(long committedBefore, long total, long maxOutputTokens) {
        this(committedBefore, total, maxOutputTokens, System::nanoTime);
    }

    /** As above, reading the time from {@code nanoTime} (a test's clock). */
    public ProgressReporter(long committedBefore, long total, long maxOutputTokens, LongSupplier nanoTime) {
        if (committedBefore < 0 || total < committedBefore || maxOutputTokens < 0) {
            throw new IllegalArgumentException("Cannot report progress: need 0 <= committed before (" + committedBefore
                    + ") <= total (" + total + ") and max output tokens >= 0 (" + maxOutputTokens + ")");
        }
        this.committedBefore = committedBefore;
        this.total = total;
        this.maxOutputTokens = maxOutputTokens;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
    }

    /**
     * The progress line now, after {@code rows} rows of this run and {@code completionTokens} tokens.
     *
     * @param prefixSaving share of prompt tokens served from a shared-prefix cache, 0 to 1
     */
    public String line(long rows, long completionTokens, double prefixSaving) {
        double seconds = Math.max(1e-9, (nanoTime.getAsLong() - startNanos) / 1e9);
        long doneNow = Math.min(rows, total - committedBefore);
        long done = committedBefore + doneNow;
        String eta = eta(seconds, doneNow, total - done, completionTokens)
                .map(s -> String.format(Locale.ROOT, "%.0fs", s)).orElse("unknown");
        return String.format(Locale.ROOT,
                "progress: %d/%d rows (%.1f%%), %d tokens generated, %.1f tokens/s, prefix saving %.1f%%, ETA %s",
                done, total, 100 * fraction(rows), completionTokens, completionTokens / seconds, 100.0 * prefixSaving,
                eta);
    }

    /** The share of the job's rows done after {@code rows} of this run, 0 to 1 (1 for an empty job). */
    public double fraction(long rows) {
        return total == 0 ? 1.0 : (double) (committedBefore + Math.min(rows, total - committedBefore)) / total;
    }

    /** Seconds left: the sooner of the row-rate and token-rate estimates (see the class comment). */
    Optional<Double> eta(double seconds, long rowsDone, long rowsLeft, long tokensDone) {
        Optional<Double> byRows = rowsDone == 0 ? Optional.empty() : Optional.of(seconds / rowsDone * rowsLeft);
        Optional<Double> byTokens = tokensDone == 0 || maxOutputTokens == 0 ? Optional.empty()
                : Optional.of(seconds / tokensDone * Math.max(0, maxOutputTokens - tokensDone));
        if (byRows.isPresent() && byTokens.isPresent()) {
            return Optional.of(Math.min(byRows.get(), byTokens.get()));
        }
        return byRows.isPresent() ? byRows : byTokens;
    }
}
