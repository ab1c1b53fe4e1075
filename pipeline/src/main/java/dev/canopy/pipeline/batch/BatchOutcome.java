package dev.canopy.pipeline.batch;

/**
 * How a batch run ended.
 *
 * @param complete true when every input row has its output row (a result or a per-row error) and none twice
 * @param metrics  what was also written to the metrics JSON
 */
public record BatchOutcome(boolean complete, JobMetrics metrics) {}
