package dev.canopy.pipeline.distributed;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;

import dev.canopy.pipeline.generate.ErrorKind;
import dev.canopy.pipeline.generate.ModelAdapter;
import dev.canopy.pipeline.generate.ModelAdapterFactory;
import dev.canopy.pipeline.generate.ProcessAdapterCache;
import dev.canopy.pipeline.generate.PromptRow;
import dev.canopy.pipeline.generate.RowError;
import dev.canopy.pipeline.generate.RowResult;
import dev.canopy.pipeline.partition.PrefixKey;
import scala.Tuple2;

/**
 * Executor step: generates one partition. Each row's prompt was prepared (rendered, tokenized, checked) by the
 * planning step ({@link PreparedColumns}); here only its id is checked (null, or a repeat), the ready rows go to the
 * model's {@link dev.canopy.pipeline.generate.PartitionGenerator}, which orders them (the engine's batch planner),
 * and every row comes out once, with its result or its error.
 */
final class GeneratePartition implements FlatMapFunction<Iterator<Tuple2<PrefixKey, Row>>, Row> {

    private static final long serialVersionUID = 1L;

    /** Positions in the prepared rows that this step reads. */
    record Layout(int passthroughWidth, int idIndex, String idName, int duplicateRankIndex, int preparedIndex,
                  boolean multiChoice) implements Serializable {}

    private final ModelAdapterFactory backendFactory;
    private final RowPreparer preparer;
    private final PreparedColumns prepared;
    private final Layout layout;
    private final GenerationProgress progress;

    GeneratePartition(ModelAdapterFactory backendFactory, RowPreparer preparer, Layout layout,
                      GenerationProgress progress) {
        this.backendFactory = backendFactory;
        this.preparer = preparer;
        this.prepared = preparer.preparedColumns();
        this.layout = layout;
        this.progress = progress;
    }

    @Override
    public Iterator<Row> call(Iterator<Tuple2<PrefixKey, Row>> input) {
        long start = System.nanoTime();
        ModelAdapter backend = backendFactory.open();
        List<Row> rows = new ArrayList<>();
        input.forEachRemaining(pair -> rows.add(pair._2()));
        List<PreparedPrompt> checked = new ArrayList<>(rows.size());
        for (Row row : rows) {
            checked.add(check(row));
        }
        long generateStart = System.nanoTime();
        Map<String, RowResult> results = generate(checked, backend);
        long generateMillis = (System.nanoTime() - generateStart) / 1_000_000;
        return write(rows, checked, results, backend.modelName(), start, generateMillis).iterator();
    }

    /**
     * Runs the ready rows (row id: position in the partition), in the order the generator plans; results by row id.
     * Each result is counted in the progress accumulators as it arrives, so heartbeats show a running partition's
     * progress.
     */
    private Map<String, RowResult> generate(List<PreparedPrompt> checked, ModelAdapter backend) {
        List<PromptRow> ready = new ArrayList<>();
        for (int i = 0; i < checked.size(); i++) {
            if (checked.get(i) instanceof PreparedPrompt.Ready r) {
                ready.add(new PromptRow(Integer.toString(i), r.tokens(), r.sampling(), r.constraint()));
            }
        }
        Map<String, RowResult> results = new ConcurrentHashMap<>();
        backend.generator().generate(ready, result -> {
            results.put(result.rowId(), result);
            progress.addRow(result);
        }, progress::addStepTokens);
        return results;
    }

    /** The output rows, one per input row; counts the rows not counted yet and reports the partition's stats. */
    private List<Row> write(List<Row> rows, List<PreparedPrompt> prepared, Map<String, RowResult> results,
                            String modelName, long startNanos, long generateMillis) {
        ResultRows out = new ResultRows(layout.passthroughWidth(), layout.multiChoice(), modelName);
        List<Row> written = new ArrayList<>(rows.size());
        Map<String, Long> errors = new HashMap<>();
        long promptTokens = 0;
        long cached = 0;
        long completion = 0;
        for (int i = 0; i < rows.size(); i++) {
            String rowId = Integer.toString(i);
            RowResult result = result(rowId, prepared.get(i), results);
            if (!results.containsKey(rowId)) { // rejected, or the engine had no result: not counted yet
                progress.addRow(result);
            }
            result.failure().ifPresent(error -> errors.merge(error.kind().label(), 1L, Long::sum));
            promptTokens += result.promptTokens();
            cached += result.cachedPromptTokens();
            completion += result.completionTokens();
            written.add(out.build(rows.get(i), result));
        }
        progress.addPartition(new PartitionStats(TaskContext.getPartitionId(), rows.size(),
                errors.values().stream().mapToLong(Long::longValue).sum(), errors, promptTokens, cached, completion,
                (System.nanoTime() - startNanos) / 1_000_000, generateMillis, SparkEnv.get().executorId(),
                ProcessHandle.current().pid(), ProcessAdapterCache.loads()));
        return written;
    }

    /**
     * The row's prepared prompt, unless its id rules it out: a null id or a repeat of an earlier row's id. A row
     * whose line could not be parsed keeps its own error first (its id is usually null too: say why).
     */
    private PreparedPrompt check(Row row) {
        PreparedPrompt stored = prepared.read(row, layout.preparedIndex());
        if (preparer.hasMalformedLine(row)) {
            return stored;
        }
        if (row.isNullAt(layout.idIndex())) {
            return new PreparedPrompt.Rejected(new RowError(ErrorKind.NULL_ID,
                    "Cannot generate: id column '" + layout.idName() + "' is null"), 0);
        }
        int rank = row.getInt(layout.duplicateRankIndex());
        if (rank > 1) {
            return new PreparedPrompt.Rejected(new RowError(ErrorKind.DUPLICATE_ID, "Cannot generate: id '"
                    + row.get(layout.idIndex()) + "' appears earlier in the input; this is occurrence " + rank), 0);
        }
        return stored;
    }

    private static RowResult result(String rowId, PreparedPrompt prepared, Map<String, RowResult> results) {
        return switch (prepared) {
            case PreparedPrompt.Rejected rejected -> new RowResult.Failed(rowId, rejected.error(),
                    rejected.promptTokens(), 0);
            case PreparedPrompt.Ready ready -> {
                RowResult result = results.get(rowId);
                yield result != null ? result : new RowResult.Failed(rowId, new RowError(ErrorKind.GENERATION_FAILED,
                        "Cannot generate: the engine returned no result for this row"), ready.tokens().length, 0);
            }
        };
    }
}
