package dev.canopy.pipeline.input;

import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.NumericType;

/** The optional per-row sampling parameter columns, with the Spark types each accepts. */
public enum RowParam {
    MAX_TOKENS("max_tokens", "an integer type"),
    TEMPERATURE("temperature", "a numeric type"),
    TOP_P("top_p", "a numeric type"),
    SEED("seed", "an integer type"),
    STOP("stop", "string or array<string>"),
    N("n", "an integer type");

    private final String column;
    private final String expected;

    RowParam(String column, String expected) {
        this.column = column;
        this.expected = expected;
    }

    /** The column name that carries this parameter. */
    public String column() {
        return column;
    }

    /** The accepted types, in words, for error messages. */
    public String expected() {
        return expected;
    }

    /** Whether a column of {@code type} can carry this parameter. */
    public boolean accepts(DataType type) {
        return switch (this) {
            case MAX_TOKENS, SEED, N -> isIntegral(type);
            case TEMPERATURE, TOP_P -> type instanceof NumericType || type instanceof DecimalType;
            case STOP -> type.equals(DataTypes.StringType)
                    || (type instanceof ArrayType array && array.elementType().equals(DataTypes.StringType));
        };
    }

    private static boolean isIntegral(DataType type) {
        return type.equals(DataTypes.LongType) || type.equals(DataTypes.IntegerType)
                || type.equals(DataTypes.ShortType) || type.equals(DataTypes.ByteType);
    }
}
