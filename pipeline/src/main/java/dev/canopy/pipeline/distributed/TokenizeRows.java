package dev.canopy.pipeline.distributed;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import scala.jdk.javaapi.CollectionConverters;

import dev.canopy.pipeline.generate.ModelAdapter;
import dev.canopy.pipeline.generate.ModelAdapterFactory;
import dev.canopy.pipeline.partition.CostEstimate;

/**
 * Executor step before partitioning: appends each row's prefix key ({@link InternalColumns#PREFIX}), estimated
 * cost ({@link InternalColumns#COST}), most output tokens ({@link InternalColumns#MAX_OUTPUT}) and every
 * token ({@link InternalColumns#TOKENS}: generation reuses them instead of tokenizing again). Rows that will
 * fail get an empty key, cost 1 and no output tokens.
 */
final class TokenizeRows implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final ModelAdapterFactory backendFactory;
    private final RowPreparer preparer;
    private final int keyTokens;

    TokenizeRows(ModelAdapterFactory backendFactory, RowPreparer preparer, int keyTokens) {
        this.backendFactory = backendFactory;
        this.preparer = preparer;
        this.keyTokens = keyTokens;
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
        List<Integer> key = List.of();
        List<Integer> tokens = null;
        long cost = 1;
        long maxOutput = 0;
        if (preparer.prepare(row, backend) instanceof PreparedPrompt.Ready ready) {
            tokens = Arrays.stream(ready.tokens()).boxed().toList();
            key = tokens.subList(0, Math.min(keyTokens, tokens.size()));
            cost = CostEstimate.of(ready.tokens().length, ready.sampling().maxTokens(), ready.sampling().n());
            maxOutput = (long) ready.sampling().maxTokens() * ready.sampling().n();
        }
        Object[] values = new Object[row.size() + 4];
        for (int i = 0; i < row.size(); i++) {
            values[i] = row.get(i);
        }
        values[row.size()] = CollectionConverters.asScala(key).toSeq(); // Spark rows hold Scala sequences
        values[row.size() + 1] = cost;
        values[row.size() + 2] = maxOutput;
        values[row.size() + 3] = tokens == null ? null : CollectionConverters.asScala(tokens).toSeq();
        return RowFactory.create(values);
    }
}
