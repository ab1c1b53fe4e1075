package dev.canopy.pipeline.distributed;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import scala.jdk.javaapi.CollectionConverters;

import dev.canopy.pipeline.generate.ModelAdapter;
import dev.canopy.pipeline.generate.ModelAdapterFactory;
import dev.canopy.pipeline.partition.CostEstimate;

/**
 * Executor step before partitioning, where each row is prepared (rendered, tokenized, checked) once per job: appends
 * its prefix key ({@link InternalColumns#PREFIX}), estimated cost ({@link InternalColumns#COST}), most output tokens
 * ({@link InternalColumns#MAX_OUTPUT}) and the prepared prompt ({@link PreparedColumns}: tokens, sampling and
 * constraint, or the row's error), which generation reads instead of preparing the row again. Rows that will fail
 * get an empty key, cost 1 and no output tokens.
 */
final class TokenizeRows implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final ModelAdapterFactory backendFactory;
    private final RowPreparer preparer;
    private final int keyTokens;
    private final PreparedColumns prepared;

    TokenizeRows(ModelAdapterFactory backendFactory, RowPreparer preparer, int keyTokens) {
        this.backendFactory = backendFactory;
        this.preparer = preparer;
        this.keyTokens = keyTokens;
        this.prepared = preparer.preparedColumns();
    }

    /** {@code schema} with the columns this step appends. */
    static StructType schema(StructType schema) {
        return PreparedColumns.append(schema
                .add(InternalColumns.PREFIX, DataTypes.createArrayType(DataTypes.IntegerType, false), false)
                .add(InternalColumns.COST, DataTypes.LongType, false)
                .add(InternalColumns.MAX_OUTPUT, DataTypes.LongType, false));
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        ModelAdapter backend = backendFactory.openForPlanning();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public Row next() {
                return withKey(rows.next(), backend);
            }
        };
    }

    private Row withKey(Row row, ModelAdapter backend) {
        PreparedPrompt outcome = preparer.prepare(row, backend);
        List<Integer> key = List.of();
        long cost = 1;
        long maxOutput = 0;
        if (outcome instanceof PreparedPrompt.Ready ready) {
            int[] tokens = ready.tokens();
            key = Arrays.stream(tokens, 0, Math.min(keyTokens, tokens.length)).boxed().toList();
            cost = CostEstimate.of(tokens.length, ready.sampling().maxTokens(), ready.sampling().n());
            maxOutput = (long) ready.sampling().maxTokens() * ready.sampling().n();
        }
        Object[] values = new Object[row.size() + 3 + PreparedColumns.WIDTH];
        for (int i = 0; i < row.size(); i++) {
            values[i] = row.get(i);
        }
        values[row.size()] = CollectionConverters.asScala(key).toSeq(); // Spark rows hold Scala sequences
        values[row.size() + 1] = cost;
        values[row.size() + 2] = maxOutput;
        prepared.write(outcome, values, row.size() + 3);
        return RowFactory.create(values);
    }
}
