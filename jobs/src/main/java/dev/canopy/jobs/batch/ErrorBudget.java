package dev.canopy.jobs.batch;

import java.util.Optional;

import dev.canopy.pipeline.batch.JobMetrics;

/**
 * How many rows of a batch job may end with a per-row error before its exit code says so
 * ({@code --max-error-rate}, key {@code max-error-rate}): a scheduler reads the exit code, not the rows.
 *
 * @param maxErrorRate the largest share of the input's rows that may have an error, in [0, 1]; 0 (the default)
 *                     tolerates none, 1 any number (every row is still written either way)
 */
public record ErrorBudget(double maxErrorRate) {

    /** Any failed row makes the job's exit code non-zero. */
    public static final ErrorBudget NONE = new ErrorBudget(0);

    public ErrorBudget {
        if (!(maxErrorRate >= 0 && maxErrorRate <= 1)) {
            throw new ConfigException("Cannot read key 'max-error-rate': expected a share of rows in [0, 1] (0: no"
                    + " failed row allowed, 1: any), got " + maxErrorRate);
        }
    }

    /**
     * Why {@code metrics} exceed the budget, or empty when they do not. Counts the rows with an error in the whole
     * output (a rerun's rows and those committed before), against the input's rows.
     */
    public Optional<String> exceededBy(JobMetrics metrics) {
        long failed = metrics.errorsByKind().values().stream().mapToLong(Long::longValue).sum();
        long total = metrics.rowsTotal();
        if (failed == 0 || failed <= maxErrorRate * total) {
            return Optional.empty();
        }
        return Optional.of(String.format("%d of %d rows failed (%.4f), more than --max-error-rate %s allows; errors"
                + " by kind: %s (give --max-error-rate 1 to accept any number)", failed, total,
                total == 0 ? 1.0 : (double) failed / total, maxErrorRate, metrics.errorsByKind()));
    }
}
