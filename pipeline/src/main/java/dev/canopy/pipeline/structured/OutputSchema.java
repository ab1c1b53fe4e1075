package dev.canopy.pipeline.structured;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canopy.executor.structured.Constraint;
import dev.canopy.executor.structured.GrammarCache;
import dev.canopy.executor.structured.UnsupportedSchemaException;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructType;

/**
 * A job's output type as a Spark DDL struct ({@code "label STRING, score DOUBLE, tags ARRAY<STRING>"}):
 * the JSON Schema generation is constrained to (every field required, no other properties, fields in
 * order) and the struct type the generated JSON is parsed into, in a column beside the raw text.
 */
public final class OutputSchema {

    private OutputSchema() {}

    /** The name of the typed column beside text column {@code textColumn}. */
    public static String parsedColumn(String textColumn) {
        return textColumn + "_parsed";
    }

    /**
     * {@code rows} with the typed value of {@code ddl} parsed from text column {@code textColumn} beside it
     * ({@link #parsedColumn}), as the batch job and the lazy paths return it.
     */
    public static Dataset<Row> withParsedColumn(Dataset<Row> rows, String textColumn, String ddl) {
        return rows.withColumn(parsedColumn(textColumn), functions.from_json(functions.col("`" + textColumn + "`"),
                structType(ddl)));
    }

    /**
     * The struct type of {@code ddl}.
     *
     * @throws IllegalArgumentException naming the DDL when Spark cannot parse it
     */
    public static StructType structType(String ddl) {
        try {
            return StructType.fromDDL(ddl);
        } catch (Exception e) { // Spark's ParseException is checked in Java's eyes
            throw new IllegalArgumentException("Cannot use output schema '" + ddl + "': it is not a Spark DDL struct"
                    + " such as \"label STRING, score DOUBLE, tags ARRAY<STRING>\" (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The JSON Schema of {@code ddl}, checked to compile (a job error, before any row runs).
     *
     * @throws IllegalArgumentException naming the column whose type has no JSON form
     */
    public static String jsonSchema(String ddl) {
        ObjectNode schema = struct(structType(ddl), "");
        String text = schema.toString();
        try {
            GrammarCache.shared().compile(new Constraint.JsonSchema(text));
        } catch (UnsupportedSchemaException e) {
            throw new IllegalArgumentException("Cannot use output schema '" + ddl + "': " + e.getMessage(), e);
        }
        return text;
    }

    private static ObjectNode struct(StructType type, String path) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode schema = f.objectNode().put("type", "object").put("additionalProperties", false);
        ObjectNode props = schema.putObject("properties");
        ArrayNode required = schema.putArray("required");
        for (StructField field : type.fields()) {
            props.set(field.name(), of(field.dataType(), path + field.name()));
            required.add(field.name());
        }
        return schema;
    }

    private static ObjectNode of(DataType t, String path) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (t.equals(DataTypes.StringType)) {
            return f.objectNode().put("type", "string");
        }
        if (t.equals(DataTypes.IntegerType) || t.equals(DataTypes.LongType) || t.equals(DataTypes.ShortType)
                || t.equals(DataTypes.ByteType)) {
            return f.objectNode().put("type", "integer");
        }
        if (t.equals(DataTypes.DoubleType) || t.equals(DataTypes.FloatType) || t instanceof DecimalType) {
            return f.objectNode().put("type", "number");
        }
        if (t.equals(DataTypes.BooleanType)) {
            return f.objectNode().put("type", "boolean");
        }
        if (t.equals(DataTypes.DateType)) {
            return f.objectNode().put("type", "string").put("format", "date");
        }
        if (t.equals(DataTypes.TimestampType)) {
            return f.objectNode().put("type", "string").put("format", "date-time");
        }
        if (t instanceof ArrayType a) {
            ObjectNode s = f.objectNode().put("type", "array");
            s.set("items", of(a.elementType(), path + "[]"));
            return s;
        }
        if (t instanceof MapType m && m.keyType().equals(DataTypes.StringType)) {
            ObjectNode s = f.objectNode().put("type", "object");
            s.set("additionalProperties", of(m.valueType(), path + "{}"));
            return s;
        }
        if (t instanceof StructType s) {
            return struct(s, path + ".");
        }
        throw new IllegalArgumentException("Cannot use output schema: column '" + path + "' has type "
                + t.simpleString() + ", which has no JSON form (use STRING, numeric types, BOOLEAN, DATE, TIMESTAMP,"
                + " ARRAY, MAP<STRING, _> or STRUCT)");
    }
}
