package dev.canopy.pipeline.distributed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import java.util.Arrays;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import dev.canopy.pipeline.input.InputColumns;

/**
 * Gives every row an id when the input has no id column: the first 32 hex digits of the SHA-256 of the row's
 * content as JSON, plus "-k" for the k-th (k >= 2) of rows with identical content. Unlike a position, this id
 * does not change with how Spark splits the input, so a rerun finds the rows it committed before.
 */
public final class RowIdentity {

    private RowIdentity() {}

    /**
     * {@code input} itself when it has the id column (with the ids of lines the JSON reader could not parse read
     * from the line, {@link MalformedRowIds}), else {@code input} plus a synthesized id column.
     */
    public static Dataset<Row> withIds(Dataset<Row> input, InputColumns columns) {
        if (columns.idFromInput()) {
            return MalformedRowIds.recover(input, columns);
        }
        String hash = InternalColumns.ORDER + "hash";
        Column[] all = Arrays.stream(input.columns()).map(c -> col("`" + c + "`")).toArray(Column[]::new);
        Dataset<Row> hashed = input.withColumn(hash, substring(sha2(to_json(struct(all)), 256), 1, 32));
        Column occurrence = row_number().over(Window.partitionBy(col(hash)).orderBy(col(hash)));
        return hashed
                .withColumn(columns.idName(), when(occurrence.equalTo(1), col(hash))
                        .otherwise(concat(col(hash), lit("-"), occurrence.cast("string"))))
                .drop(hash);
    }
}
