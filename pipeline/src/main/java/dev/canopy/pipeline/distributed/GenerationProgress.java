package dev.canopy.pipeline.distributed;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

import org.apache.spark.SparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

import dev.canopy.pipeline.generate.RowResult;

/**
 * Accumulators that generation tasks add to as each row finishes, as each engine step generates tokens (for
 * progress before rows finish: batched rows of equal length all finish in the last step), and once per
 * partition, its {@link PartitionStats}. The driver's accumulator values count finished tasks only: Spark merges a task's
 * accumulators when it ends. {@link LiveProgress} adds the running tasks' partial counts, which executors send
 * with their heartbeats.
 */
public final class GenerationProgress implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LongAccumulator rows;
    private final LongAccumulator failedRows;
    private final LongAccumulator promptTokens;
    private final LongAccumulator cachedPromptTokens;
    private final LongAccumulator completionTokens;
    private final LongAccumulator stepTokens; // tokens generated so far, also by rows not finished yet
    private final CollectionAccumulator<PartitionStats> partitions;

    private GenerationProgress(SparkContext context) {
        rows = context.longAccumulator("canopy.rows");
        failedRows = context.longAccumulator("canopy.failedRows");
        promptTokens = context.longAccumulator("canopy.promptTokens");
        cachedPromptTokens = context.longAccumulator("canopy.cachedPromptTokens");
        completionTokens = context.longAccumulator("canopy.completionTokens");
        stepTokens = context.longAccumulator("canopy.stepTokens");
        partitions = context.collectionAccumulator("canopy.partitions");
    }

    /** New accumulators registered with {@code context}. */
    public static GenerationProgress register(SparkContext context) {
        return new GenerationProgress(context);
    }

    /** Counts a finished row (on an executor); thread-safe within the task. */
    synchronized void addRow(RowResult result) {
        rows.add(1);
        if (result.failure().isPresent()) {
            failedRows.add(1);
        }
        promptTokens.add(result.promptTokens());
        cachedPromptTokens.add(result.cachedPromptTokens());
        completionTokens.add(result.completionTokens());
    }

    /** Counts tokens an engine step generated (on an executor), before their rows finish. */
    synchronized void addStepTokens(int tokens) {
        stepTokens.add(tokens);
    }

    /** Adds a finished partition's stats (on an executor); its rows were counted by {@link #addRow}. */
    synchronized void addPartition(PartitionStats stats) {
        partitions.add(stats);
    }

    /** What finished tasks counted (on the driver). */
    public ProgressCounts counts() {
        return new ProgressCounts(rows.value(), failedRows.value(), promptTokens.value(), cachedPromptTokens.value(),
                completionTokens.value());
    }

    /**
     * What a running task counted so far, from its accumulators' values by accumulator id (as a heartbeat reports
     * them); ids of other accumulators are ignored, missing ones count 0. Its completion tokens are those the
     * engine steps generated, unfinished rows included.
     */
    ProgressCounts countsOf(Map<Long, Long> valuesById) {
        return new ProgressCounts(valuesById.getOrDefault(rows.id(), 0L),
                valuesById.getOrDefault(failedRows.id(), 0L), valuesById.getOrDefault(promptTokens.id(), 0L),
                valuesById.getOrDefault(cachedPromptTokens.id(), 0L),
                Math.max(valuesById.getOrDefault(completionTokens.id(), 0L),
                        valuesById.getOrDefault(stepTokens.id(), 0L)));
    }

    /** Whether {@code accumulatorId} is one of the counters {@link #countsOf} reads. */
    boolean counts(long accumulatorId) {
        return accumulatorId == rows.id() || accumulatorId == failedRows.id() || accumulatorId == promptTokens.id()
                || accumulatorId == cachedPromptTokens.id() || accumulatorId == completionTokens.id()
                || accumulatorId == stepTokens.id();
    }

    /** The partitions finished so far, in no particular order. */
    public List<PartitionStats> partitions() {
        return List.copyOf(partitions.value());
    }
}
