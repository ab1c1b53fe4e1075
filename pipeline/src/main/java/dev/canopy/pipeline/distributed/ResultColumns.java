package dev.canopy.pipeline.distributed;

import java.util.List;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.input.RowParam;

/** The columns generation adds after the input's columns. */
public final class ResultColumns {

    public static final String CHOICES = "choices";
    public static final String FINISH_REASON = "finish_reason";
    public static final String PROMPT_TOKENS = "prompt_tokens";
    public static final String CACHED_PROMPT_TOKENS = "cached_prompt_tokens";
    public static final String COMPLETION_TOKENS = "completion_tokens";
    public static final String ERROR = "error";
    public static final String MODEL = "model";
    public static final String LATENCY_MS = "latency_ms";

    /** One element of {@link #CHOICES}. */
    public static final StructType CHOICE = new StructType()
            .add("index", DataTypes.IntegerType, false)
            .add("text", DataTypes.StringType, false)
            .add("finish_reason", DataTypes.StringType, false)
            .add("completion_tokens", DataTypes.IntegerType, false);

    private ResultColumns() {}

    /** Every column name generation may add, for collision checks on the input. */
    public static List<String> names(String textColumn) {
        return List.of(textColumn, CHOICES, FINISH_REASON, PROMPT_TOKENS, CACHED_PROMPT_TOKENS, COMPLETION_TOKENS,
                ERROR, MODEL, LATENCY_MS);
    }

    /**
     * Whether generation adds the {@link #CHOICES} column: when the job's sampling {@code defaults} draw more than one
     * choice, or the input has a per-row {@code n} column ({@code columns}), so any row may.
     */
    public static boolean multiChoice(SamplingParams defaults, InputColumns columns) {
        return defaults.n() > 1 || columns.paramIndex(RowParam.N).isPresent();
    }

    /**
     * The added fields: the first choice's text in {@code textColumn}, and with {@code multiChoice} every choice
     * in {@link #CHOICES}. Rows with an error have null text and finish reason.
     */
    public static StructField[] fields(String textColumn, boolean multiChoice) {
        StructType fields = new StructType().add(textColumn, DataTypes.StringType, true);
        if (multiChoice) {
            fields = fields.add(CHOICES, DataTypes.createArrayType(CHOICE, false), true);
        }
        return fields
                .add(FINISH_REASON, DataTypes.StringType, true)
                .add(PROMPT_TOKENS, DataTypes.IntegerType, false)
                .add(CACHED_PROMPT_TOKENS, DataTypes.IntegerType, false)
                .add(COMPLETION_TOKENS, DataTypes.IntegerType, false)
                .add(ERROR, DataTypes.StringType, true)
                .add(MODEL, DataTypes.StringType, false)
                .add(LATENCY_MS, DataTypes.DoubleType, false)
                .fields();
    }
}
