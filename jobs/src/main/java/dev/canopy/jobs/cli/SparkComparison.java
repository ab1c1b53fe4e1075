package dev.canopy.jobs.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.EngineMetrics;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.jobs.batch.BatchConfig;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.batch.BatchJobSpec;
import dev.canopy.pipeline.batch.BatchOutcome;
import dev.canopy.pipeline.batch.BatchRun;
import dev.canopy.pipeline.batch.JobMetrics;
import dev.canopy.pipeline.batch.OutputFormat;
import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.engine.EngineSettings;
import dev.canopy.pipeline.input.InputFormat;
import dev.canopy.pipeline.input.InputSpec;
import dev.canopy.pipeline.distributed.PartitionStats;

/**
 * {@code canopy bench --workload … --compare spark}: in one process, the Spark batch job on the workload's
 * prompts written to Parquet, then the engine alone on the same prompts, and Spark's share of the job's wall
 * time: {@code (job wall - engine wall) / job wall}.
 *
 * <p>Same work: the prompts are text ({@link TextPrompts}) and the engine alone gets the tokens the job's
 * tokenizer makes of them, with the job's sampling (greedy, EOS ignored, per-row max tokens); it orders them as
 * a job partition does (the batch planner's order). The report checks that prompt and output
 * token counts and the generated texts agree.
 *
 * <p>Same CPU: both engines run {@code --threads} kernel threads with the same settings. Spark runs up to
 * one task per core ({@code local[*]}), but every task of the JVM shares one engine, which runs one partition
 * at a time, so generation never has more than {@code --threads} kernel threads; Spark's own threads only read,
 * tokenize, shuffle and write. Before both runs a third engine generates the whole workload once, untimed
 * (JIT warm-up), so that the run order favours neither; and, unless {@code --cold-spark}, an untimed batch job
 * on four of the prompts compiles Spark's query code before the timed one.
 *
 * <p>Timed: the job from reading its Parquet input to writing its metrics (model load, tokenizing, planning
 * jobs, generation, commit); the engine alone from opening the model to the last result (load, tokenizing the
 * texts, planner, generation). Not in either: starting the Spark session and writing the input Parquet.
 */
final class SparkComparison {

    /** KV cache of the warm-up job's engine: enough for a few prompts of a few hundred tokens. */
    private static final long WARM_UP_KV_BYTES = 256L << 20;
    /** The batch job's default progress interval, as {@code canopy batch} runs it. */
    private static final Duration PROGRESS_INTERVAL =
            Duration.ofSeconds(BatchConfig.DEFAULT_PROGRESS_INTERVAL_SECONDS);

    private SparkComparison() {}

    /** Runs both and returns the report. */
    static Map<String, Object> run(Args a, EngineConfig config, String master, Path workDir) {
        if (config.offload().enabled()) {
            throw new UsageException("canopy bench: --compare spark runs without --offload (the batch job has no"
                    + " offload settings yet)");
        }
        long seed = a.longValue("seed");
        List<TextPrompts.Prompt> prompts;
        try (Engine warmUp = Engine.open(config)) {
            int vocab = warmUp.model().config().vocab();
            prompts = jobPrompts(TextPrompts.of(BenchCommand.requests(a, a.required("workload"), vocab),
                    warmUp.tokenizer()));
            WorkloadBench.warmUp(warmUp, seed);
            // the whole workload once, untimed: the JIT compiles every path both timed runs take (batch shapes,
            // shared-prefix attention), so neither pays for compilation that the other gets for free
            warmUp.generate(planned(prompts, warmUp));
        }
        Run job = sparkJob(a, config, master, workDir, prompts);
        Run engine = engineAlone(config, prompts);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("spark_master", master);
        r.put("threads", config.threads());
        r.put("rows", prompts.size());
        r.put("spark_job", job.report());
        r.put("engine_alone", engine.report());
        r.put("same_prompt_tokens", job.report().get("prompt_tokens").equals(engine.report().get("prompt_tokens")));
        r.put("same_output_tokens", job.report().get("output_tokens").equals(engine.report().get("output_tokens")));
        long identical = engine.texts().entrySet().stream()
                .filter(e -> e.getValue() != null && e.getValue().equals(job.texts().get(e.getKey()))).count();
        r.put("identical_texts", identical + "/" + prompts.size());
        double jobWall = job.wallSeconds();
        r.put("spark_share", round((jobWall - engine.wallSeconds()) / jobWall));
        return r;
    }

    /** One side's timed wall, its report and its first choice's text by row id. */
    private record Run(double wallSeconds, Map<String, Object> report, Map<String, String> texts) {}

    /** The prompts with the batch job's sampling: its defaults (greedy), EOS ignored, the workload's max tokens. */
    private static List<TextPrompts.Prompt> jobPrompts(List<TextPrompts.Prompt> prompts) {
        return prompts.stream().map(p -> new TextPrompts.Prompt(p.text(), GenerationRequest.ofTokens(
                p.request().id(), p.request().promptTokens(), sampling(p.request().params().maxTokens())))).toList();
    }

    private static SamplingParams sampling(int maxTokens) {
        return SamplingParams.DEFAULTS.toBuilder().ignoreEos(true).maxTokens(maxTokens).build();
    }

    private static Run sparkJob(Args a, EngineConfig config, String master, Path workDir,
                                List<TextPrompts.Prompt> prompts) {
        long t0 = System.nanoTime();
        SparkSession spark = SparkSession.builder().appName("canopy bench --compare spark").master(master)
                .config("spark.ui.enabled", "false")
                .config("spark.executor.heartbeatInterval", "5s") // as canopy batch sets it: progress every 5 s
                .config("spark.sql.shuffle.partitions", Runtime.getRuntime().availableProcessors())
                .getOrCreate();
        try {
            double sessionStart = (System.nanoTime() - t0) / 1e9;
            String input = workDir.resolve("prompts.parquet").toString();
            long t1 = System.nanoTime();
            writeInput(spark, prompts, input);
            double inputWrite = (System.nanoTime() - t1) / 1e9;

            EngineSettings settings = EngineSettings.of(config);
            GenerateOptions options = options(config, settings);
            if (a.has("partitions")) {
                options = options.withPartitions(a.intValue("partitions", 1));
            }

            long tWarm = System.nanoTime();
            if (!a.has("cold-spark")) {
                warmUp(spark, prompts, workDir, options.withModelAdapter(new EngineAdapterFactory(
                        config.model().toAbsolutePath().toString(), settings.withKvBudgetBytes(WARM_UP_KV_BYTES))));
            }
            double warmUp = (System.nanoTime() - tWarm) / 1e9;

            String output = workDir.resolve("output").toString();
            BatchJobSpec spec = new BatchJobSpec(new InputSpec(input, InputFormat.PARQUET), output,
                    OutputFormat.PARQUET, options, true, PROGRESS_INTERVAL);
            settleHeap();
            long t2 = System.nanoTime();
            BatchOutcome outcome = BatchRun.run(spark, spec);
            double wall = (System.nanoTime() - t2) / 1e9;
            if (!outcome.complete()) {
                throw new IllegalStateException("Cannot compare with Spark: the batch job did not complete ("
                        + outcome.metrics().failure() + ")");
            }
            Map<String, String> texts = new HashMap<>();
            for (Row row : spark.read().parquet(output).select(GenerateOptions.DEFAULT_ID_COLUMN, GenerateOptions.DEFAULT_TEXT_COLUMN).collectAsList()) {
                texts.put(row.getString(0), row.isNullAt(1) ? null : row.getString(1));
            }
            Map<String, Object> report = jobReport(outcome.metrics(), wall);
            report.put("untimed_session_start_s", round(sessionStart));
            report.put("untimed_input_write_s", round(inputWrite));
            report.put("untimed_warm_up_job_s", round(warmUp));
            return new Run(wall, report, texts);
        } finally {
            spark.stop();
        }
    }

    private static GenerateOptions options(EngineConfig config, EngineSettings settings) {
        return GenerateOptions.of(new EngineAdapterFactory(config.model().toAbsolutePath().toString(), settings))
                .withSampling(sampling(1));
    }

    /**
     * An untimed batch job on a few of the prompts (two tokens each), so that the timed job does not pay for
     * compiling Spark's query code and JIT-compiling Spark once, as the engine's warm-up spares the engine. Its
     * engine has a small KV cache, so it is not the one the timed job loads (that load stays timed).
     */
    private static void warmUp(SparkSession spark, List<TextPrompts.Prompt> prompts, Path workDir,
                               GenerateOptions options) {
        String input = workDir.resolve("warm-up.parquet").toString();
        writeInput(spark, prompts.subList(0, Math.min(4, prompts.size())), input, 2);
        BatchRun.run(spark, new BatchJobSpec(new InputSpec(input, InputFormat.PARQUET),
                workDir.resolve("warm-up-output").toString(), OutputFormat.PARQUET, options, true,
                PROGRESS_INTERVAL));
    }

    private static void writeInput(SparkSession spark, List<TextPrompts.Prompt> prompts, String path) {
        writeInput(spark, prompts, path, 0);
    }

    /** The prompts as Parquet (id, prompt, max_tokens): their own max tokens, or {@code maxTokens} when above 0. */
    private static void writeInput(SparkSession spark, List<TextPrompts.Prompt> prompts, String path, int maxTokens) {
        List<Row> rows = new ArrayList<>(prompts.size());
        for (TextPrompts.Prompt p : prompts) {
            rows.add(RowFactory.create(p.request().id(), p.text(),
                    maxTokens > 0 ? maxTokens : p.request().params().maxTokens()));
        }
        StructType schema = new StructType().add("id", DataTypes.StringType, false)
                .add("prompt", DataTypes.StringType, false).add("max_tokens", DataTypes.IntegerType, false);
        spark.createDataFrame(rows, schema).coalesce(1).write().parquet(path);
    }

    private static Map<String, Object> jobReport(JobMetrics m, double wall) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("wall_s", round(wall));
        r.put("generation_s", round(m.generationSeconds()));
        r.put("partitions", m.partitions().size());
        r.put("prompt_tokens", m.promptTokens());
        r.put("output_tokens", m.completionTokens());
        r.put("output_tokens_per_s", round(m.completionTokens() / wall));
        r.put("prefix_saving", round(m.prefixSaving()));
        r.put("rows_failed", m.rowsFailed());
        r.put("engine_in_tasks_s", round(m.partitions().stream().mapToLong(PartitionStats::generateMillis).sum() / 1e3));
        Map<String, Object> phases = new LinkedHashMap<>();
        m.phaseSeconds().forEach((phase, seconds) -> phases.put(phase, round(seconds)));
        r.put("phases_s", phases);
        return r;
    }

    /** The engine alone: open, order as a job partition does, generate; the texts by id. */
    private static Run engineAlone(EngineConfig config, List<TextPrompts.Prompt> prompts) {
        settleHeap();
        long t0 = System.nanoTime();
        try (Engine engine = Engine.open(config)) {
            long t1 = System.nanoTime();
            List<TextPrompts.Prompt> tokenized = tokenize(prompts, engine.tokenizer());
            long tTokenized = System.nanoTime();
            List<GenerationRequest> ordered = planned(tokenized, engine);
            long t2 = System.nanoTime();
            List<GenerationResult> results = engine.generate(ordered);
            long t3 = System.nanoTime();
            Map<String, String> texts = new HashMap<>();
            for (GenerationResult result : results) {
                texts.put(result.id(), result.completions().isEmpty() ? null : result.completions().get(0).text());
            }
            EngineMetrics m = engine.lastRunMetrics();
            double wall = (t3 - t0) / 1e9;
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("wall_s", round(wall));
            r.put("load_s", round((t1 - t0) / 1e9));
            r.put("tokenize_s", round((tTokenized - t1) / 1e9));
            r.put("plan_s", round((t2 - tTokenized) / 1e9));
            r.put("generate_s", round((t3 - t2) / 1e9));
            r.put("prompt_tokens", m.promptTokens());
            r.put("output_tokens", m.generatedTokens());
            r.put("output_tokens_per_s", round(m.generatedTokens() / wall));
            r.put("prefix_saving", round(m.prefixSaving()));
            r.put("errors", results.stream().filter(x -> x.error().isPresent()).count());
            return new Run(wall, r, texts);
        }
    }

    /**
     * The prompts tokenized from their text again, as the job does on its executors, so that both sides start
     * from text (the tokens are the same as before: {@link TextPrompts} made them with the same call).
     */
    private static List<TextPrompts.Prompt> tokenize(List<TextPrompts.Prompt> prompts, Tokenizer tokenizer) {
        return prompts.stream().map(p -> new TextPrompts.Prompt(p.text(), GenerationRequest.ofTokens(
                p.request().id(), tokenizer.encode(p.text(), tokenizer.addBosByDefault(), false),
                p.request().params()))).toList();
    }

    /** The requests in a job partition's order: the batch planner's (the partition does not sort them first). */
    private static List<GenerationRequest> planned(List<TextPrompts.Prompt> prompts, Engine engine) {
        return PlannedRequests.order(prompts.stream().map(TextPrompts.Prompt::request).toList(), engine);
    }

    /**
     * Collects the garbage of what ran before (a closed engine leaves its whole KV cache behind), so that neither
     * timed run pays for a full collection the other caused.
     */
    private static void settleHeap() {
        System.gc();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** A fresh directory for the job's input and output, removed by {@link #delete}. */
    static Path workDir() {
        try {
            return Files.createTempDirectory("canopy-bench-spark");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory for the Spark comparison: " + e.getMessage(), e);
        }
    }

    /** Deletes {@code dir} and everything under it. */
    static void delete(Path dir) {
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete '" + dir + "': " + e.getMessage(), e);
        }
    }
}
