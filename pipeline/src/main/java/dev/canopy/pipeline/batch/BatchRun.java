package dev.canopy.pipeline.batch;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.engine.ModelShipping;
import dev.canopy.pipeline.generate.ModelAdapterFactory;
import dev.canopy.pipeline.generate.ModelDescription;
import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.input.InputReader;
import dev.canopy.pipeline.distributed.GenerationProgress;
import dev.canopy.pipeline.distributed.PartitionStats;
import dev.canopy.pipeline.distributed.RowIdentity;
import dev.canopy.pipeline.distributed.SparkGeneration;

/**
 * Runs a batch job: checks model, input schema and earlier output before any work; generates only the rows
 * without committed output; commits each partition atomically as it ends (a Hadoop task commit that renames
 * the partition's file into place); then checks that every input row has its output and writes the metrics
 * and, when complete, the success marker.
 */
public final class BatchRun {

    private static final Logger LOG = LoggerFactory.getLogger(BatchRun.class);
    private static final long NO_EXECUTOR_WARNING_SECONDS = 30;
    /**
     * v2 committer: each task's commit renames its file into the output, so a partition is committed atomically as
     * soon as it ends and survives a killed driver. (Also a table's options: inserting into a table does not take
     * the writer's.)
     */
    static final Map<String, String> WRITE_OPTIONS = Map.of(
            "mapreduce.fileoutputcommitter.algorithm.version", "2",
            "mapreduce.fileoutputcommitter.marksuccessfuljobs", "false",
            "ignoreNullFields", "false");

    private BatchRun() {}

    /**
     * Runs {@code spec} on {@code spark}.
     *
     * @throws dev.canopy.pipeline.generate.InvalidModelException   before any output, when the model is unusable
     * @throws dev.canopy.pipeline.input.InvalidInputException      before any output, when the input is unusable
     * @throws OutputConflictException before any output, when the output holds rows of another model or config
     */
    public static BatchOutcome run(SparkSession spark, BatchJobSpec spec) {
        try (StallWatchdog watchdog = StallWatchdog.start(spark.sparkContext(), StallLimits.DEFAULT)) {
            try {
                return run(spark, spec, watchdog);
            } catch (RuntimeException e) {
                throw watchdog.failure().<RuntimeException>map(m -> new JobStalledException(m, e)).orElse(e);
            }
        }
    }

    private static BatchOutcome run(SparkSession spark, BatchJobSpec spec, StallWatchdog watchdog) {
        PhaseTimes phases = new PhaseTimes();
        ModelDescription model = spec.options().modelAdapter().describe();
        Dataset<Row> input = InputReader.read(spark, spec.input());
        InputColumns columns = Canopy.validate(input, spec.options());
        OutputDirectory out = new OutputDirectory(spec.output(), spark.sparkContext().hadoopConfiguration());
        prepareOutput(out, manifest(spec, model, columns), spec.overwrite());
        Optional<OutputTable> table = Optional.ofNullable(spec.outputTable())
                .map(name -> new OutputTable(spark, name, out, spec.outputFormat()));
        table.ifPresent(t -> t.prepare(spec.overwrite()));
        boolean fresh = !out.hasDataFiles();

        Dataset<Row> keyed = RowIdentity.withIds(input, columns);
        CommittedRows committed = new CommittedRows(spark, out, spec.outputFormat(), columns.idName());
        Dataset<Row> pending = fresh ? keyed : committed.pending(keyed);
        // on a fresh output every row is pending and the planning job counts them: no job here
        long total = fresh ? -1 : input.count();
        boolean nothingPending = !fresh && pending.isEmpty();
        phases.end("prepare");

        GenerationProgress progress = GenerationProgress.register(spark.sparkContext());
        // the factory that generates: the shipped one (its own copy counter) once there are rows to generate
        ModelAdapterFactory generating = spec.options().modelAdapter();
        long modelBytesBefore = generating.modelBytesCopied();
        String failure = null;
        double seconds = 0;
        long committedBefore = Math.max(0, total);
        if (!nothingPending) {
            long start = System.nanoTime();
            SparkGeneration.Plan plan = null;
            try (ExecutorWatch watch = ExecutorWatch.start(spark.sparkContext(), NO_EXECUTOR_WARNING_SECONDS)) {
                // only a run with rows to generate sends the model to the executors
                GenerateOptions options = ModelShipping.shipped(spark, spec.options());
                generating = options.modelAdapter();
                modelBytesBefore = generating.modelBytesCopied();
                plan = SparkGeneration.plan(pending, columns, options, progress,
                        SparkGeneration.PreparedCache.UNTIL_RELEASED);
                total = fresh ? plan.inputRows() : total;
                committedBefore = total - plan.inputRows();
                LOG.info("{} input rows, {} committed by earlier runs, {} to generate in {} partitions", total,
                        committedBefore, plan.inputRows(), plan.partitions());
                phases.end("plan");
                if (plan.inputRows() > 0) {
                    try (ProgressLog reporter = new ProgressLog(spark.sparkContext(), progress,
                            committedBefore, total, plan.maxOutputTokens(), spec.progressInterval())) {
                        write(OutputShape.of(spec, columns).apply(plan.rows()), spec.outputFormat(), out, table);
                    }
                }
            } catch (Exception e) { // SparkException: a task failed past its retries; report what was committed
                failure = watchdog.failure().orElse(rootMessage(e));
                if (watchdog.failure().isPresent()) {
                    Thread.interrupted(); // the watchdog's interrupt must not fail the verification below
                }
                LOG.error("Generation failed; committed partitions are kept for a rerun", e);
            } finally {
                seconds = (System.nanoTime() - start) / 1e9;
                if (plan != null) {
                    plan.release();
                }
                phases.end("generate_and_write");
            }
        } else {
            LOG.info("{} input rows, all committed by earlier runs", total);
        }
        if (total < 0) { // planning failed before counting
            total = input.count();
        }
        boolean succeededFresh = fresh && failure == null;
        JobMetrics.Completeness counts = succeededFresh ? committed.completenessOfSucceededFreshRun(keyed, total)
                : committed.completeness(keyed, total);
        boolean onePerRow = succeededFresh && counts.rowsInOutput() == total;
        // the output then holds exactly this run's rows, whose errors the finished partitions counted
        Map<String, Long> errors = onePerRow ? errorsOf(progress.partitions()) : committed.errorsByKind();
        phases.end("verify");
        JobMetrics metrics = JobMetrics.of(spec, model.name(), failure, counts, committedBefore, errors,
                progress, seconds, phases.seconds(), generating.modelBytesCopied() - modelBytesBefore);
        out.writeJson(OutputDirectory.METRICS, metrics);
        String runFile = out.writeRunJson(metrics);
        boolean complete = counts.complete() && failure == null;
        if (complete) {
            out.writeJson(OutputDirectory.SUCCESS, Map.of("rows", counts.rowsTotal(), "finished_at",
                    Instant.now().toString()));
        }
        LOG.info("{}: {} of {} rows in {} (this run's metrics: {})", metrics.status(), counts.rowsInOutput(),
                counts.rowsTotal(), out.location(), runFile);
        return new BatchOutcome(complete, metrics);
    }

    private static Map<String, Long> errorsOf(List<PartitionStats> partitions) {
        Map<String, Long> errors = new TreeMap<>();
        for (PartitionStats p : partitions) {
            p.errorsByKind().forEach((kind, n) -> errors.merge(kind, n, Long::sum));
        }
        return errors;
    }

    /** The first line of the innermost cause's message: a task's own exception rather than Spark's wrapper. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getName() : root.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static RunManifest manifest(BatchJobSpec spec, ModelDescription model, InputColumns columns) {
        return new RunManifest(model.name(), model.fingerprint(), spec.options().sampling().toString(), columns.sourceName(),
                columns.idName(), spec.options().textColumn(), spec.outputFormat().label());
    }

    /** Refuses to mix with output of another model or config unless overwriting; clears a killed run's leftovers. */
    private static void prepareOutput(OutputDirectory out, RunManifest manifest, boolean overwrite) {
        if (overwrite) {
            out.deleteAll();
        } else {
            Optional<RunManifest> earlier = out.readManifest();
            if (earlier.isPresent()) {
                List<String> differences = manifest.differencesFrom(earlier.get());
                if (!differences.isEmpty()) {
                    throw new OutputConflictException("Cannot add to output '" + out.location()
                            + "': its rows were generated with other settings (" + String.join("; ", differences)
                            + "); rerun with --overwrite to replace them");
                }
            } else if (out.hasDataFiles()) {
                throw new OutputConflictException("Cannot add to output '" + out.location()
                        + "': it holds files that no canopy run wrote; choose an empty location or rerun with"
                        + " --overwrite to replace them");
            }
            out.clearLeftovers();
        }
        out.writeJson(OutputDirectory.MANIFEST, manifest);
    }

    private static void write(Dataset<Row> rows, OutputFormat format, OutputDirectory out,
                              Optional<OutputTable> table) {
        DataFrameWriter<Row> writer = rows.write()
                .mode(SaveMode.Append)
                .options(WRITE_OPTIONS)
                .format(format.sparkSource());
        if (table.isPresent()) {
            table.get().append(writer, rows.schema());
            table.get().refresh();
        } else {
            writer.save(out.location());
        }
    }
}
