package dev.canopy.pipeline;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.input.InputSchema;
import dev.canopy.pipeline.spark.GenerationProgress;
import dev.canopy.pipeline.spark.ResultColumns;
import dev.canopy.pipeline.spark.RowIdentity;
import dev.canopy.pipeline.spark.SparkGeneration;

/**
 * The notebook and library entry point: generation as a Dataset transformation.
 *
 * <pre>{@code
 * Dataset<Row> out = Canopy.generate(spark.read().parquet("prompts.parquet"),
 *         GenerateOptions.forModel("/models/model.gguf").withPartitions(8));
 * }</pre>
 */
public final class Canopy {

    private Canopy() {}

    /**
     * The input's rows with generated text and the other result columns ({@link ResultColumns}) appended, and an
     * id column when the input had none. Validates the schema now (throwing
     * {@link dev.canopy.pipeline.input.InvalidInputException}) and runs small planning jobs (a count and a
     * sample of prefix keys); generation itself runs when the result is computed.
     */
    public static Dataset<Row> generate(Dataset<Row> input, GenerateOptions options) {
        InputColumns columns = validate(input, options);
        GenerationProgress progress = GenerationProgress.register(input.sparkSession().sparkContext());
        return SparkGeneration.plan(RowIdentity.withIds(input, columns), columns, options, progress, false).rows();
    }

    /** Checks {@code input}'s schema against {@code options}, naming any missing or mistyped column. */
    public static InputColumns validate(Dataset<Row> input, GenerateOptions options) {
        return InputSchema.validate(input.schema(), options.promptColumn(), options.messagesColumn(),
                options.idColumn(), ResultColumns.names(options.textColumn()));
    }
}
