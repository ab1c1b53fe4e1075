package dev.canopy.pipeline.input;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;

/**
 * The optional per-row sampling parameter columns (named as in
 * {@link dev.canopy.executor.sample.SamplingParamsParser}), with the Spark types each accepts.
 */
public enum RowParam {
    MAX_TOKENS("max_tokens", Kind.NUMBER),
    TEMPERATURE("temperature", Kind.NUMBER),
    TOP_K("top_k", Kind.NUMBER),
    TOP_P("top_p", Kind.NUMBER),
    MIN_P("min_p", Kind.NUMBER),
    SEED("seed", Kind.NUMBER),
    STOP("stop", Kind.STRINGS),
    STOP_TOKEN_IDS("stop_token_ids", Kind.INTEGERS),
    IGNORE_EOS("ignore_eos", Kind.BOOLEAN),
    PRESENCE_PENALTY("presence_penalty", Kind.NUMBER),
    FREQUENCY_PENALTY("frequency_penalty", Kind.NUMBER),
    REPETITION_PENALTY("repetition_penalty", Kind.NUMBER),
    N("n", Kind.NUMBER);

    private enum Kind {
        NUMBER("a numeric or string type"), STRINGS("string or array<string>"),
        INTEGERS("array of an integer type"), BOOLEAN("boolean");

        private final String words;

        Kind(String words) {
            this.words = words;
        }
    }

    private final String column;
    private final Kind kind;

    RowParam(String column, Kind kind) {
        this.column = column;
        this.kind = kind;
    }

    /** The column name that carries this parameter. */
    public String column() {
        return column;
    }

    /** The accepted types, in words, for error messages. */
    public String expected() {
        return kind.words;
    }

    /** Whether values are numbers: text in such a column is read as a number per row. */
    public boolean isNumeric() {
        return kind == Kind.NUMBER;
    }

    /**
     * Whether a column of {@code type} can carry this parameter. Numeric parameters accept any numeric or string
     * column: whether a value is an integer in range is checked per row, so one bad value fails only its row.
     */
    public boolean accepts(DataType type) {
        return switch (kind) {
            case NUMBER -> type instanceof NumericType || type.equals(DataTypes.StringType);
            case STRINGS -> type.equals(DataTypes.StringType)
                    || (type instanceof ArrayType array && array.elementType().equals(DataTypes.StringType));
            case INTEGERS -> type instanceof ArrayType array && isIntegral(array.elementType());
            case BOOLEAN -> type.equals(DataTypes.BooleanType);
        };
    }

    private static boolean isIntegral(DataType type) {
        return type.equals(DataTypes.LongType) || type.equals(DataTypes.IntegerType)
                || type.equals(DataTypes.ShortType) || type.equals(DataTypes.ByteType);
    }
}
