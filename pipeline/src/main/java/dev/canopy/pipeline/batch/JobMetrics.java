package dev.canopy.pipeline.batch;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.canopy.pipeline.distributed.GenerationProgress;
import dev.canopy.pipeline.distributed.PartitionStats;
import dev.canopy.pipeline.distributed.ProgressCounts;

/**
 * The metrics JSON written beside the output ({@link OutputDirectory#METRICS}), snake_case on disk.
 *
 * @param status                "complete" when every input row has exactly its output rows, else "incomplete"
 * @param failure               why the generation step failed, if it did (null otherwise)
 * @param rowsTotal             input rows
 * @param rowsInOutput          rows in the output directory now, from all runs
 * @param rowsMissing           input rows without an output row
 * @param rowsExtra             output rows beyond the input's (0 unless something wrote twice)
 * @param rowsCommittedBefore   rows found committed by earlier runs and skipped
 * @param rowsGenerated         rows this run wrote (with text or an error)
 * @param rowsFailed            rows this run wrote with an error
 * @param errorsByKind          rows with an error in the whole output, by kind
 * @param promptTokens          prompt tokens this run
 * @param cachedPromptTokens    of those, served from a shared prefix
 * @param completionTokens      tokens generated this run
 * @param prefixSaving          cachedPromptTokens / promptTokens
 * @param generationSeconds     wall time of this run's generation step
 * @param tokensPerSecond       completionTokens / generationSeconds
 * @param partitions            this run's partitions, by index
 * @param modelLoadsByExecutor  models loaded per executor JVM (1 each when the cache works)
 * @param phaseSeconds          wall seconds of the run's phases: prepare (read, validate, count, find committed
 *                              rows), plan (tokenize, sample prefix keys, cut ranges), generate_and_write
 *                              (generation and commits), verify (output against input, errors by kind)
 * @param modelBytesCopied      model bytes this run's tasks copied into machines' local caches (a model on a
 *                              Hadoop file system, copied once per machine and fingerprint; 0 when all had it)
 */
public record JobMetrics(String status, String failure, String input, String output, String model,
                         long rowsTotal, long rowsInOutput, long rowsMissing, long rowsExtra,
                         long rowsCommittedBefore, long rowsGenerated, long rowsFailed,
                         Map<String, Long> errorsByKind, long promptTokens, long cachedPromptTokens,
                         long completionTokens, double prefixSaving, double generationSeconds,
                         double tokensPerSecond, List<PartitionStats> partitions,
                         Map<String, Integer> modelLoadsByExecutor, Map<String, Double> phaseSeconds,
                         long modelBytesCopied) {

    /** Row counts of the output against the input. */
    public record Completeness(long rowsTotal, long rowsInOutput, long rowsMissing, long rowsExtra) {

        public boolean complete() {
            return rowsMissing == 0 && rowsExtra == 0;
        }
    }

    /** Metrics from this run's accumulators and the output's final state. */
    static JobMetrics of(BatchJobSpec spec, String model, String failure, Completeness counts,
                         long committedBefore, Map<String, Long> errorsByKind, GenerationProgress progress,
                         double generationSeconds, Map<String, Double> phaseSeconds, long modelBytesCopied) {
        List<PartitionStats> partitions = progress.partitions().stream()
                .sorted(Comparator.comparingInt(PartitionStats::partition)).toList();
        Map<String, Integer> loads = new TreeMap<>();
        for (PartitionStats p : partitions) {
            loads.merge(p.executorId() + "@" + p.processId(), p.processModelLoads(), Math::max);
        }
        ProgressCounts run = progress.counts();
        return new JobMetrics(counts.complete() && failure == null ? "complete" : "incomplete", failure,
                spec.input().location(), spec.output(), model, counts.rowsTotal(), counts.rowsInOutput(),
                counts.rowsMissing(), counts.rowsExtra(), committedBefore, run.rows(), run.failedRows(),
                new TreeMap<>(errorsByKind), run.promptTokens(), run.cachedPromptTokens(), run.completionTokens(),
                run.prefixSaving(), generationSeconds,
                generationSeconds == 0 ? 0 : run.completionTokens() / generationSeconds, partitions, loads,
                phaseSeconds, modelBytesCopied);
    }
}
