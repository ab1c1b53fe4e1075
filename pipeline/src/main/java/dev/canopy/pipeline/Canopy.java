package dev.canopy.pipeline;

import java.util.Objects;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import dev.canopy.pipeline.engine.ModelShipping;
import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.input.InputSchema;
import dev.canopy.pipeline.distributed.GenerationProgress;
import dev.canopy.pipeline.distributed.LazyGeneration;
import dev.canopy.pipeline.distributed.ResultColumns;
import dev.canopy.pipeline.distributed.RowIdentity;
import dev.canopy.pipeline.distributed.SparkGeneration;

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
     * id column when the input had none. Before any Spark job, checks the model file on the driver (throwing
     * {@link dev.canopy.pipeline.generate.InvalidModelException}) and the schema (throwing
     * {@link dev.canopy.pipeline.input.InvalidInputException}); on a cluster, ships the model to the executors
     * (unless {@code spark.canopy.shipModel=false}), so a driver path is enough. Then runs the planning job, which
     * prepares (renders, tokenizes) every row, counts them and samples their prefix keys; generation itself runs when
     * the result is computed, from the prepared rows, which stay cached (memory, spilling to disk) until no Dataset
     * derived from the result is referenced any more.
     *
     * @throws NullPointerException naming the argument when one is null
     */
    public static Dataset<Row> generate(Dataset<Row> input, GenerateOptions options) {
        requireArguments(input, options);
        options.modelAdapter().describe(); // a missing or corrupt model fails here, not in an executor's task
        InputColumns columns = validate(input, options);
        GenerateOptions shipped = ModelShipping.shipped(input.sparkSession(), options);
        GenerationProgress progress = GenerationProgress.register(input.sparkSession().sparkContext());
        return SparkGeneration.plan(RowIdentity.withIds(input, columns), columns, shipped, progress,
                SparkGeneration.PreparedCache.WHILE_REFERENCED).rows();
    }

    /**
     * Like {@link #generate}, but starts no Spark job: rows are range-partitioned by prompt prefix with Spark's
     * {@code repartitionByRange} when the result is computed (balanced by rows rather than estimated cost), in
     * {@code options}' partitions or the context's default parallelism. For SQL and Spark ML's lazy
     * {@code transform}. Checks the model file and the schema now; on a cluster, ships the model.
     */
    public static Dataset<Row> generateLazily(Dataset<Row> input, GenerateOptions options) {
        requireArguments(input, options);
        options.modelAdapter().describe();
        InputColumns columns = validate(input, options);
        GenerateOptions shipped = ModelShipping.shipped(input.sparkSession(), options);
        SparkContext context = input.sparkSession().sparkContext();
        return LazyGeneration.rows(RowIdentity.withIds(input, columns), columns, shipped,
                GenerationProgress.register(context), context.defaultParallelism());
    }

    /** Throws naming the argument when {@code input} or {@code options} is null. */
    static void requireArguments(Dataset<?> input, GenerateOptions options) {
        Objects.requireNonNull(input, "Cannot generate: the input Dataset is null");
        Objects.requireNonNull(options, "Cannot generate: options is null; pass GenerateOptions.forModel(\"model.gguf\")");
    }

    /** Checks {@code input}'s schema against {@code options}, naming any missing or mistyped column. */
    public static InputColumns validate(Dataset<Row> input, GenerateOptions options) {
        requireArguments(input, options);
        return validateSchema(input.schema(), options);
    }

    /** Checks {@code schema} against {@code options}, naming any missing or mistyped column. */
    public static InputColumns validateSchema(StructType schema, GenerateOptions options) {
        return InputSchema.validate(schema, options.promptColumn(), options.messagesColumn(),
                options.idColumn(), ResultColumns.names(options.textColumn()));
    }
}
