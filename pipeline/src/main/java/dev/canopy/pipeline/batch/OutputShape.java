package dev.canopy.pipeline.batch;

import java.util.function.UnaryOperator;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.input.PromptSource;
import dev.canopy.pipeline.distributed.ResultColumns;

/** The last step before writing: result rows as they are, or reshaped for the output format. */
final class OutputShape {

    private OutputShape() {}

    /** What to apply to the result rows for {@code spec}'s output format. */
    static UnaryOperator<Dataset<Row>> of(BatchJobSpec spec, InputColumns columns) {
        if (spec.outputFormat() != OutputFormat.OPENAI_BATCH) {
            return UnaryOperator.identity();
        }
        return rows -> OpenAiBatchOutput.shape(rows, columns.idName(), columns.source() == PromptSource.MESSAGES,
                spec.options().textColumn(), rows.schema().getFieldIndex(ResultColumns.CHOICES).isDefined());
    }
}
