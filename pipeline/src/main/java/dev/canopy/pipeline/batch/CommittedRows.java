package dev.canopy.pipeline.batch;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.sum;

import java.util.HashMap;
import java.util.Map;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import dev.canopy.pipeline.input.OpenAiBatchInput;

/**
 * The rows already committed in an output directory, found by id: a rerun generates only the input rows whose
 * id is not there. All rows of one id (duplicates included) commit in the same partition, so an id is either
 * fully there or not at all.
 */
final class CommittedRows {

    private final SparkSession spark;
    private final OutputDirectory directory;
    private final OutputFormat format;
    private final String idColumn;
    private final String outputIdColumn;

    CommittedRows(SparkSession spark, OutputDirectory directory, OutputFormat format, String idColumn) {
        this.spark = spark;
        this.directory = directory;
        this.format = format;
        this.idColumn = idColumn;
        this.outputIdColumn = format == OutputFormat.OPENAI_BATCH ? OpenAiBatchInput.ID_COLUMN : idColumn;
    }

    /** The rows of {@code keyed} whose id has no committed output yet. */
    Dataset<Row> pending(Dataset<Row> keyed) {
        if (!directory.hasDataFiles()) {
            return keyed;
        }
        Dataset<Row> committed = output().select(col(quoted(outputIdColumn)).as("committed_id")).distinct();
        return keyed.join(committed, keyed.col(quoted(idColumn)).eqNullSafe(committed.col("committed_id")),
                "left_anti");
    }

    /** Compares output rows per id with input rows per id; {@code total} is {@code keyed}'s row count. */
    JobMetrics.Completeness completeness(Dataset<Row> keyed, long total) {
        if (!directory.hasDataFiles()) {
            return new JobMetrics.Completeness(total, 0, total, 0);
        }
        Dataset<Row> in = keyed.groupBy(col(quoted(idColumn)).as("in_id")).count().withColumnRenamed("count", "n_in");
        Dataset<Row> out = output().groupBy(col(quoted(outputIdColumn)).as("out_id")).count()
                .withColumnRenamed("count", "n_out");
        Column nIn = coalesce(col("n_in"), lit(0L));
        Column nOut = coalesce(col("n_out"), lit(0L));
        Row sums = in.join(out, col("in_id").eqNullSafe(col("out_id")), "full_outer")
                .agg(sum(nOut), sum(greatest(nIn.minus(nOut), lit(0L))), sum(greatest(nOut.minus(nIn), lit(0L))))
                .first();
        return new JobMetrics.Completeness(total, sums.isNullAt(0) ? 0 : sums.getLong(0),
                sums.isNullAt(1) ? 0 : sums.getLong(1), sums.isNullAt(2) ? 0 : sums.getLong(2));
    }

    /**
     * {@link #completeness} after a run that started on an empty output and succeeded: every partition then
     * committed at least once, so every input row has an output row, and an output count equal to the input's
     * proves it is exactly one each, without the per-id comparison. Otherwise (a task that committed twice) the
     * per-id comparison counts the extras.
     */
    JobMetrics.Completeness completenessOfSucceededFreshRun(Dataset<Row> keyed, long total) {
        long rows = directory.hasDataFiles() ? output().count() : 0;
        return rows == total ? new JobMetrics.Completeness(total, rows, 0, 0) : completeness(keyed, total);
    }

    /** Output rows with an error, by error kind. */
    Map<String, Long> errorsByKind() {
        Map<String, Long> errors = new HashMap<>();
        if (!directory.hasDataFiles()) {
            return errors;
        }
        Column kind = format == OutputFormat.OPENAI_BATCH ? col("error.code")
                : substring_index(col("error"), ":", 1);
        for (Row row : output().filter(col("error").isNotNull()).groupBy(kind.as("kind")).count().collectAsList()) {
            errors.put(row.getString(0), row.getLong(1));
        }
        return errors;
    }

    private Dataset<Row> output() {
        return spark.read().format(format.sparkSource()).load(directory.location());
    }

    static String quoted(String column) {
        return "`" + column.replace("`", "``") + "`";
    }
}
