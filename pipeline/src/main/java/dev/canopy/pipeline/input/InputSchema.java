package dev.canopy.pipeline.input;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/** Checks an input schema before any work runs, naming the column, its type and what was expected. */
public final class InputSchema {

    /** Prefix of the columns the pipeline adds while it works; inputs may not use it. */
    public static final String INTERNAL_PREFIX = "_canopy_";

    /**
     * The column where Spark's JSON reader keeps a line it could not parse (bad syntax, bytes that are
     * not UTF-8), with every other column null: such rows get a {@code malformed_row} error quoting the line.
     */
    public static final String MALFORMED_COLUMN = "_corrupt_record";

    static final String MESSAGES_TYPE = "array<struct<role:string,content:string>>";

    private InputSchema() {}

    /**
     * Validates {@code schema} and says where each needed column is.
     *
     * @param promptColumn   string column with prompts; used when present
     * @param messagesColumn chat messages column; used when there is no prompt column
     * @param idColumn       id column; synthesized later when absent
     * @param outputColumns  the columns generation adds: the input may not already have them
     * @throws InvalidInputException naming the problem
     */
    public static InputColumns validate(StructType schema, String promptColumn, String messagesColumn,
                                        String idColumn, Collection<String> outputColumns) {
        for (StructField field : schema.fields()) {
            if (field.name().startsWith(INTERNAL_PREFIX)) {
                throw new InvalidInputException("Cannot read input: column '" + field.name()
                        + "' uses the reserved prefix '" + INTERNAL_PREFIX + "'; rename it");
            }
            if (outputColumns.contains(field.name()) && !field.name().equals(idColumn)) {
                throw new InvalidInputException("Cannot read input: column '" + field.name()
                        + "' would be overwritten by the output column of the same name; rename it or drop it");
            }
        }
        Map<RowParam, Integer> params = new EnumMap<>(RowParam.class);
        for (RowParam param : RowParam.values()) {
            find(schema, param.column()).ifPresent(index -> {
                DataType type = schema.fields()[index].dataType();
                if (!param.accepts(type)) {
                    throw mistyped(param.column(), type, param.expected());
                }
                params.put(param, index);
            });
        }
        boolean idFromInput = find(schema, idColumn).isPresent();
        if (idFromInput) {
            DataType type = schema.fields()[find(schema, idColumn).orElseThrow()].dataType();
            if (type instanceof StructType || type instanceof ArrayType || type instanceof MapType) {
                throw mistyped(idColumn, type, "a string or number");
            }
        }
        int malformed = find(schema, MALFORMED_COLUMN)
                .filter(i -> schema.fields()[i].dataType().equals(DataTypes.StringType)).orElse(-1);
        var prompt = find(schema, promptColumn);
        if (prompt.isPresent()) {
            DataType type = schema.fields()[prompt.get()].dataType();
            if (!type.equals(DataTypes.StringType)) {
                throw mistyped(promptColumn, type, "string");
            }
            return new InputColumns(PromptSource.PROMPT, prompt.get(), promptColumn, params, idColumn, idFromInput,
                    schema.size(), malformed);
        }
        var messages = find(schema, messagesColumn);
        if (messages.isPresent()) {
            DataType type = schema.fields()[messages.get()].dataType();
            if (!isMessages(type)) {
                throw mistyped(messagesColumn, type, MESSAGES_TYPE);
            }
            return new InputColumns(PromptSource.MESSAGES, messages.get(), messagesColumn, params, idColumn,
                    idFromInput, schema.size(), malformed);
        }
        throw new InvalidInputException("Cannot read prompts: the input has no '" + promptColumn
                + "' column (string) and no '" + messagesColumn + "' column (" + MESSAGES_TYPE
                + "); its columns are " + Arrays.toString(schema.fieldNames()));
    }

    private static boolean isMessages(DataType type) {
        if (!(type instanceof ArrayType array) || !(array.elementType() instanceof StructType element)) {
            return false;
        }
        return hasString(element, "role") && hasString(element, "content");
    }

    private static boolean hasString(StructType struct, String name) {
        return find(struct, name).map(i -> struct.fields()[i].dataType().equals(DataTypes.StringType)).orElse(false);
    }

    private static java.util.Optional<Integer> find(StructType schema, String name) {
        String[] names = schema.fieldNames();
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(name)) {
                return java.util.Optional.of(i);
            }
        }
        return java.util.Optional.empty();
    }

    private static InvalidInputException mistyped(String column, DataType actual, String expected) {
        return new InvalidInputException("Cannot read prompts: column '" + column + "' has type "
                + actual.simpleString() + ", expected " + expected);
    }
}
