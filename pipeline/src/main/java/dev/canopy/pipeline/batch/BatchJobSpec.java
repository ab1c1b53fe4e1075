package dev.canopy.pipeline.batch;

import java.time.Duration;
import java.util.Objects;

import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.input.InputSpec;

/**
 * One batch generation job: input, output, model and sampling, and how to treat earlier output.
 *
 * @param input            where the prompts are
 * @param output           output directory (any Hadoop file system)
 * @param outputFormat     how to write rows
 * @param options          model, columns, sampling, partitioning
 * @param overwrite        delete earlier output first, even from another model or sampling config
 * @param progressInterval how often the driver logs a progress line
 * @param outputTable      a catalog table to write the rows to ({@code saveAsTable}), whose files are at
 *                         {@code output} (with the job's metrics and manifest beside them); null: a path only
 */
public record BatchJobSpec(InputSpec input, String output, OutputFormat outputFormat, GenerateOptions options,
                           boolean overwrite, Duration progressInterval, String outputTable) {

    /** A job writing to the path {@code output} only. */
    public BatchJobSpec(InputSpec input, String output, OutputFormat outputFormat, GenerateOptions options,
                        boolean overwrite, Duration progressInterval) {
        this(input, output, outputFormat, options, overwrite, progressInterval, null);
    }

    public BatchJobSpec {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(outputFormat, "outputFormat");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(progressInterval, "progressInterval");
        if (output == null || output.isBlank()) {
            throw new IllegalArgumentException("Cannot write output: its location is not set");
        }
        if (outputTable != null && outputTable.isBlank()) {
            throw new IllegalArgumentException("Cannot write to output table: its name is blank");
        }
        if (progressInterval.isNegative() || progressInterval.isZero()) {
            throw new IllegalArgumentException("Cannot log progress every " + progressInterval + ": it must be positive");
        }
    }

    /** This job, writing its rows to the catalog table {@code name} (files at {@link #output}). */
    public BatchJobSpec withOutputTable(String name) {
        return new BatchJobSpec(input, output, outputFormat, options, overwrite, progressInterval, name);
    }
}
