package dev.canopy.pipeline.distributed;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one generation partition did, reported to the driver through an accumulator.
 *
 * @param partition           partition index
 * @param rows                rows written
 * @param failedRows          rows written with an error
 * @param errorsByKind        failed rows per {@link dev.canopy.pipeline.generate.ErrorKind#label()}
 * @param promptTokens        prompt tokens of generated rows
 * @param cachedPromptTokens  of those, tokens served from a shared-prefix cache
 * @param completionTokens    generated tokens
 * @param millis              wall time of the partition, model load included
 * @param generateMillis      of that, time in the model's generate call (waiting for the executor's shared engine
 *                            while it runs another task's partition included)
 * @param executorId          the Spark executor that ran it
 * @param processId           its JVM's process id
 * @param processModelLoads   models that JVM had loaded when the partition ended
 */
public record PartitionStats(int partition, long rows, long failedRows, Map<String, Long> errorsByKind,
                             long promptTokens, long cachedPromptTokens, long completionTokens, long millis, long generateMillis,
                             String executorId, long processId, int processModelLoads) implements Serializable {

    public PartitionStats {
        errorsByKind = new TreeMap<>(errorsByKind);
    }
}
