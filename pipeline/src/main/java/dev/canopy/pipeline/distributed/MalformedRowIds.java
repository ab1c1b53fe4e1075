package dev.canopy.pipeline.distributed;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

import dev.canopy.pipeline.input.InputColumns;

/**
 * Fills the id column of rows Spark's JSON reader could not parse (all their columns are null, the line is in the
 * malformed-record column) with the id read from the line by {@link MalformedLine}, converted to the id column's
 * type, so that a rejected row keeps its id in the id column whenever it can be read.
 */
final class MalformedRowIds {

    private MalformedRowIds() {}

    /** {@code input} with the ids of malformed lines recovered; {@code input} itself when it has no such column. */
    static Dataset<Row> recover(Dataset<Row> input, InputColumns columns) {
        if (columns.malformedRecordIndex().isEmpty()) {
            return input;
        }
        String idName = columns.idName();
        Column id = col("`" + idName + "`");
        Column line = col("`" + input.schema().fields()[columns.malformedRecordIndex().get()].name() + "`");
        DataType idType = input.schema().apply(idName).dataType();
        UserDefinedFunction read = udf((UDF1<String, String>) l -> MalformedLine.scan(l, idName,
                columns.sourceName()).id().orElse(null), DataTypes.StringType);
        Column recovered = read.apply(line).try_cast(idType);
        return input.withColumn(idName, when(id.isNull().and(line.isNotNull()), recovered).otherwise(id));
    }
}
