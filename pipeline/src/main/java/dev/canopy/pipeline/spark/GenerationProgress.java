package dev.canopy.pipeline.spark;

import java.io.Serializable;
import java.util.List;

import org.apache.spark.SparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * Accumulators that generation tasks add to when a partition ends; the driver reads them for progress lines
 * and the metrics. Counts only partitions that ended in this run.
 */
public final class GenerationProgress implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LongAccumulator rows;
    private final LongAccumulator failedRows;
    private final LongAccumulator promptTokens;
    private final LongAccumulator cachedPromptTokens;
    private final LongAccumulator completionTokens;
    private final CollectionAccumulator<PartitionStats> partitions;

    private GenerationProgress(SparkContext context) {
        rows = context.longAccumulator("canopy.rows");
        failedRows = context.longAccumulator("canopy.failedRows");
        promptTokens = context.longAccumulator("canopy.promptTokens");
        cachedPromptTokens = context.longAccumulator("canopy.cachedPromptTokens");
        completionTokens = context.longAccumulator("canopy.completionTokens");
        partitions = context.collectionAccumulator("canopy.partitions");
    }

    /** New accumulators registered with {@code context}. */
    public static GenerationProgress register(SparkContext context) {
        return new GenerationProgress(context);
    }

    /** Adds a finished partition (on an executor). */
    void add(PartitionStats stats) {
        rows.add(stats.rows());
        failedRows.add(stats.failedRows());
        promptTokens.add(stats.promptTokens());
        cachedPromptTokens.add(stats.cachedPromptTokens());
        completionTokens.add(stats.completionTokens());
        partitions.add(stats);
    }

    public long rows() {
        return rows.value();
    }

    public long failedRows() {
        return failedRows.value();
    }

    public long promptTokens() {
        return promptTokens.value();
    }

    public long cachedPromptTokens() {
        return cachedPromptTokens.value();
    }

    public long completionTokens() {
        return completionTokens.value();
    }

    /** The partitions finished so far, in no particular order. */
    public List<PartitionStats> partitions() {
        return List.copyOf(partitions.value());
    }
}
