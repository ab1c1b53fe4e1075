package dev.canopy.pipeline.ml;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import dev.canopy.pipeline.distributed.ResultColumns;
import dev.canopy.pipeline.input.InvalidInputException;
import dev.canopy.pipeline.input.RowParam;

/**
 * {@link LlmGenerator}'s one output column: a struct of {@code text} ({@code choices} too when {@code n} is mapped),
 * {@code finish_reason}, {@code prompt_tokens}, {@code cached_prompt_tokens}, {@code completion_tokens} and
 * {@code error} (null on success; text and finish reason are null when it is set).
 */
final class GeneratorOutput {

    private GeneratorOutput() {}

    /** The struct's type. */
    static StructType type(boolean multiChoice) {
        StructType type = new StructType().add("text", DataTypes.StringType, true);
        if (multiChoice) {
            type = type.add(ResultColumns.CHOICES, DataTypes.createArrayType(ResultColumns.CHOICE, false), true);
        }
        return type.add(ResultColumns.FINISH_REASON, DataTypes.StringType, true)
                .add(ResultColumns.PROMPT_TOKENS, DataTypes.IntegerType, false)
                .add(ResultColumns.CACHED_PROMPT_TOKENS, DataTypes.IntegerType, false)
                .add(ResultColumns.COMPLETION_TOKENS, DataTypes.IntegerType, false)
                .add(ResultColumns.ERROR, DataTypes.StringType, true);
    }

    /** The struct built from generation's result columns, the text being in {@code textColumn}. */
    static Column column(String textColumn, boolean multiChoice) {
        List<Column> fields = new ArrayList<>();
        fields.add(col(textColumn).as("text"));
        if (multiChoice) {
            fields.add(col(ResultColumns.CHOICES));
        }
        for (String name : List.of(ResultColumns.FINISH_REASON, ResultColumns.PROMPT_TOKENS,
                ResultColumns.CACHED_PROMPT_TOKENS, ResultColumns.COMPLETION_TOKENS, ResultColumns.ERROR)) {
            fields.add(col(name));
        }
        return struct(fields.toArray(Column[]::new));
    }

    /**
     * The columns of {@code schema} that generation would read or overwrite by name although the user did not map
     * them: per-row parameter names not in {@code mapped}, and the result columns' names.
     *
     * @throws InvalidInputException when a mapped column is not in the schema or names no per-row parameter
     */
    static Set<String> namesGenerationReads(String textColumn, String[] mapped, StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        List<String> mappedNames = Arrays.asList(mapped);
        for (String name : mapped) {
            if (Arrays.stream(RowParam.values()).noneMatch(p -> p.column().equals(name))) {
                throw new InvalidInputException("Cannot read column '" + name + "' as a per-row parameter: it names"
                        + " none; rowParamCols takes " + Arrays.stream(RowParam.values()).map(RowParam::column).toList());
            }
            if (!names.contains(name)) {
                throw new InvalidInputException("Cannot read per-row parameter column '" + name + "': the input has no"
                        + " such column (it has " + names + ")");
            }
        }
        Set<String> aside = new LinkedHashSet<>();
        for (RowParam param : RowParam.values()) {
            if (names.contains(param.column()) && !mappedNames.contains(param.column())) {
                aside.add(param.column());
            }
        }
        for (String result : ResultColumns.names(textColumn)) {
            if (names.contains(result)) {
                aside.add(result);
            }
        }
        return aside;
    }

    /** {@code schema} with the field {@code from} named {@code to}. */
    static StructType renamed(StructType schema, String from, String to) {
        StructField[] fields = schema.fields().clone();
        for (int i = 0; i < fields.length; i++) {
            if (fields[i].name().equals(from)) {
                fields[i] = new StructField(to, fields[i].dataType(), fields[i].nullable(), fields[i].metadata());
            }
        }
        return new StructType(fields);
    }
}
