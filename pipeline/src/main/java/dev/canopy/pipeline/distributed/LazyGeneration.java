package dev.canopy.pipeline.distributed;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.partition.PrefixKey;
import dev.canopy.pipeline.structured.OutputSchema;
import scala.Tuple2;

/**
 * Generation as a pure Dataset transformation, for Spark ML's {@code transform} and SQL: no Spark job runs until
 * the result is computed. Rows are range-partitioned by their group's prefix key with Spark's own
 * {@code repartitionByRange} (its sample runs with the action), so rows sharing a prefix still land in one
 * partition, where the batch planner orders them; unlike {@link SparkGeneration#plan}, partitions are balanced by
 * row count, not estimated cost.
 */
public final class LazyGeneration {

    private LazyGeneration() {}

    /**
     * {@code keyed}'s rows (the input plus its id column) followed by {@link ResultColumns#fields}, computed
     * lazily in {@code partitions} partitions (or the options' partitions when set).
     */
    public static Dataset<Row> rows(Dataset<Row> keyed, InputColumns columns, GenerateOptions options,
                                    GenerationProgress progress, int partitions) {
        RowPreparer preparer = RowPreparer.forJob(columns, options);
        Dataset<Row> grouped = SparkGeneration.tokenizedByGroup(keyed, columns, options, preparer,
                columns.idFromInput()); // no job may run before the action: input ids are ranked by the window
        Dataset<Row> ranged = grouped.repartitionByRange(options.partitions().orElse(partitions),
                col(InternalColumns.GROUP_PREFIX), col(InternalColumns.TIE_BREAK));

        StructType schema = ranged.schema();
        boolean multiChoice = ResultColumns.multiChoice(options.sampling(), columns);
        GeneratePartition.Layout layout = SparkGeneration.layout(keyed.schema().size(), schema, columns, multiChoice);
        List<StructField> fields = new ArrayList<>(Arrays.asList(keyed.schema().fields()));
        fields.addAll(Arrays.asList(ResultColumns.fields(options.textColumn(), multiChoice)));
        Dataset<Row> rows = ranged.mapPartitions(new Generate(new GeneratePartition(options.modelAdapter(), preparer, layout,
                progress)), Encoders.row(DataTypes.createStructType(fields)));
        if (options.outputSchema() != null && !multiChoice) { // the typed value beside the raw text, as the batch job
            rows = OutputSchema.withParsedColumn(rows, options.textColumn(), options.outputSchema());
        }
        return rows;
    }

    /** {@link GeneratePartition} over a Dataset partition (it reads rows only; the key was for partitioning). */
    private record Generate(GeneratePartition partition) implements MapPartitionsFunction<Row, Row> {

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            return partition.call(new Iterator<Tuple2<PrefixKey, Row>>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Tuple2<PrefixKey, Row> next() {
                    return new Tuple2<>(null, rows.next());
                }
            });
        }
    }
}
