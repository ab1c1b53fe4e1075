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
    MAX_TOKENS("max_tokens", Kind.INTEGER),
    TEMPERATURE("temperature", Kind.NUMBER),
    TOP_K("top_k", Kind.INTEGER),
    TOP_P("top_p", Kind.NUMBER),
    MIN_P("min_p", Kind.NUMBER),
    SEED("seed", Kind.INTEGER),
    STOP("stop", Kind.STRINGS),
    STOP_TOKEN_IDS("stop_token_ids", Kind.INTEGERS),
    IGNORE_EOS("ignore_eos", Kind.BOOLEAN),
    PRESENCE_PENALTY("presence_penalty", Kind.NUMBER),
    FREQUENCY_PENALTY("frequency_penalty", Kind.NUMBER),
    REPETITION_PENALTY("repetition_penalty", Kind.NUMBER),
    N("n", Kind.INTEGER);

    private enum Kind {
        INTEGER("an integer type"), NUMBER("a numeric type"), STRINGS("string or array<string>"),
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

    /** Whether a column of {@code type} can carry this parameter. */
    public boolean accepts(DataType type) {
        return switch (kind) {
            case INTEGER -> isIntegral(type);
            case NUMBER -> type instanceof NumericType;
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
