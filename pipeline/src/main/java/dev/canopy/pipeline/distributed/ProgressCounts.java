package dev.canopy.pipeline.distributed;

/**
 * Rows and tokens generation has finished so far (or that one task has finished).
 *
 * @param rows               rows finished, with a result or an error
 * @param failedRows         of those, rows with an error
 * @param promptTokens       prompt tokens of finished rows
 * @param cachedPromptTokens of those, tokens served from a shared-prefix cache
 * @param completionTokens   generated tokens of finished rows
 */
public record ProgressCounts(long rows, long failedRows, long promptTokens, long cachedPromptTokens,
                             long completionTokens) {

    public static final ProgressCounts ZERO = new ProgressCounts(0, 0, 0, 0, 0);

    /** The sum of both counts. */
    public ProgressCounts plus(ProgressCounts other) {
        return new ProgressCounts(rows + other.rows, failedRows + other.failedRows,
                promptTokens + other.promptTokens, cachedPromptTokens + other.cachedPromptTokens,
                completionTokens + other.completionTokens);
    }

    /** cachedPromptTokens / promptTokens, 0 before any prompt token. */
    public double prefixSaving() {
        return promptTokens == 0 ? 0 : (double) cachedPromptTokens / promptTokens;
    }
}
