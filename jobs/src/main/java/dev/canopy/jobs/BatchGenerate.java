package dev.canopy.jobs;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.apache.spark.sql.SparkSession;

import dev.canopy.jobs.batch.BatchConfig;
import dev.canopy.jobs.batch.BatchConfigLoader;
import dev.canopy.jobs.batch.BatchSpecBuilder;
import dev.canopy.jobs.batch.ConfigException;
import dev.canopy.jobs.batch.ErrorBudget;
import dev.canopy.jobs.cli.Args;
import dev.canopy.jobs.cli.GpuFlags;
import dev.canopy.jobs.cli.UsageException;
import dev.canopy.pipeline.batch.BatchJobSpec;
import dev.canopy.pipeline.batch.BatchOutcome;
import dev.canopy.pipeline.batch.BatchRun;
import dev.canopy.pipeline.batch.OutputConflictException;
import dev.canopy.pipeline.generate.InvalidModelException;
import dev.canopy.pipeline.input.InvalidInputException;

/**
 * The batch generation job: {@code spark-submit --class dev.canopy.jobs.BatchGenerate canopy-jobs-spark.jar
 * --input … --output … --model …}, and {@code canopy batch} with the same flags on an embedded local Spark.
 *
 * <p>Exit codes: 0 every input row has its output row (a result or a per-row error); 2 bad flags or config;
 * 3 unusable input, model or output directory, found before any output was written; 4 generation stopped
 * with rows missing (a rerun with the same arguments finishes them); 5 every row written, but more rows failed
 * than {@code --max-error-rate} allows (default 0: any failed row); 1 anything else.
 */
public final class BatchGenerate {

    public static final int COMPLETE = 0;
    public static final int FAILED = 1;
    public static final int BAD_USAGE = 2;
    public static final int BAD_INPUT = 3;
    public static final int INCOMPLETE = 4;
    public static final int TOO_MANY_ERRORS = 5;

    private static final BatchCommand COMMAND = new BatchCommand();
    private static final Map<String, String> FLAG_KEYS = BatchCommand.configKeys();
    private static final String SHUFFLE_PARTITIONS = "spark.sql.shuffle.partitions";
    private static final String HEARTBEAT_INTERVAL = "spark.executor.heartbeatInterval";

    private BatchGenerate() {}

    /** The flags, config and exit codes, for a usage error. */
    public static String usage() {
        return COMMAND.usage();
    }

    /** The spark-submit entry point: exits with {@link #run}'s code. */
    public static void main(String[] args) {
        int code;
        try {
            code = run(args, System.out, System.err);
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            e.hint().ifPresent(System.err::println);
            System.err.println(usage());
            code = BAD_USAGE;
        } catch (RuntimeException e) {
            System.err.println("canopy batch: " + (e.getMessage() == null ? e : e.getMessage()));
            e.printStackTrace();
            code = FAILED;
        }
        System.exit(code);
    }

    /**
     * Runs the job; returns its exit code (never exits the JVM). Starts a local Spark ({@code local[*]}) unless a
     * master is configured ({@code spark.master} from spark-submit, the config or {@code --conf}).
     *
     * @throws UsageException on unknown flags
     */
    public static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse(COMMAND, argv);
        if (args.helpRequested()) {
            err.println(usage());
            return COMPLETE;
        }
        return run(args, out, err);
    }

    /** Runs the job on parsed flags; see {@link #run(String[], PrintStream, PrintStream)}. */
    static int run(Args args, PrintStream out, PrintStream err) {
        BatchConfig config;
        try {
            config = BatchConfigLoader.load(args.get("config").map(Path::of), overrides(args));
            BatchJobSpec spec = BatchSpecBuilder.build(config);
            ErrorBudget budget = new ErrorBudget(config.maxErrorRate());
            spec.options().modelAdapter().describe(); // a missing or corrupt model fails before Spark starts
            SparkSession spark = session(config);
            try {
                BatchOutcome outcome = BatchRun.run(spark, spec);
                out.println(outcome.metrics().status() + ": " + outcome.metrics().rowsInOutput() + " of "
                        + outcome.metrics().rowsTotal() + " rows in " + spec.output()
                        + (spec.outputTable() == null ? "" : " (table " + spec.outputTable() + ")"));
                if (!outcome.complete()) {
                    err.println("canopy batch: output incomplete"
                            + (outcome.metrics().failure() == null ? "" : " (" + outcome.metrics().failure() + ")")
                            + "; rerun with the same arguments to finish the missing rows");
                    return INCOMPLETE;
                }
                Optional<String> tooMany = budget.exceededBy(outcome.metrics());
                if (tooMany.isPresent()) {
                    err.println("canopy batch: every row is written, but " + tooMany.get());
                    return TOO_MANY_ERRORS;
                }
                return COMPLETE;
            } finally {
                spark.stop();
            }
        } catch (ConfigException e) {
            err.println("canopy batch: " + e.getMessage());
            return BAD_USAGE;
        } catch (InvalidInputException | InvalidModelException | OutputConflictException e) {
            err.println("canopy batch: " + e.getMessage());
            return BAD_INPUT;
        }
    }

    private static SparkSession session(BatchConfig config) {
        SparkSession.Builder builder = SparkSession.builder().appName("canopy batch");
        config.spark().forEach(builder::config);
        if (!config.spark().containsKey(HEARTBEAT_INTERVAL) && System.getProperty(HEARTBEAT_INTERVAL) == null) {
            // running tasks' progress reaches the driver with executor heartbeats (Spark's default: every 10 s)
            builder.config(HEARTBEAT_INTERVAL, Math.clamp(config.progressIntervalSeconds(), 1, 10) + "s");
        }
        if (!config.spark().containsKey("spark.master") && System.getProperty("spark.master") == null) {
            builder.master("local[*]");
            if (!config.spark().containsKey(SHUFFLE_PARTITIONS)) { // 200 shuffle tasks only slow a single machine
                builder.config(SHUFFLE_PARTITIONS, Math.max(2, Runtime.getRuntime().availableProcessors()));
            }
        }
        return builder.getOrCreate();
    }

    /** Config keys set by flags: --conf pairs first, then the named flags, which win. */
    static Map<String, String> overrides(Args args) {
        Map<String, String> overrides = new LinkedHashMap<>();
        for (String pair : args.all("conf")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException("Cannot read --conf '" + pair + "': expected KEY=VALUE");
            }
            overrides.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        // only flags given: a declared default (shown in the help) must not replace the config file's value
        FLAG_KEYS.forEach((flag, key) -> {
            if (args.has(flag)) {
                overrides.put(key, args.required(flag));
            }
        });
        for (String flag : GpuFlags.NAMES) { // on|off on the command line, true|false in the config
            if (args.has(flag)) {
                overrides.put("engine." + flag, Boolean.toString(GpuFlags.isOn(flag, args.required(flag))));
            }
        }
        if (args.has("overwrite")) {
            overrides.put("overwrite", "true");
        }
        return overrides;
    }
}
