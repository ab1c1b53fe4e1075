package dev.canopy.jobs;

import dev.canopy.jobs.cli.Args;
import dev.canopy.jobs.cli.Command;
import dev.canopy.jobs.cli.EngineFlags;
import dev.canopy.jobs.cli.Flag;
import dev.canopy.jobs.cli.GpuFlags;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.input.OpenAiBatchInput;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code canopy batch}: the Spark batch job ({@link BatchGenerate}) on an embedded local Spark; its flags are the
 * spark-submit job's too. None declares a default of its own: a flag not given leaves the config file's value, and
 * the file's absent keys take {@code BatchConfig}'s defaults.
 */
public final class BatchCommand implements Command {

    @Override
    public String name() {
        return "batch";
    }

    @Override
    public String summary() {
        return "generate for a Parquet/JSONL/CSV/OpenAI-batch dataset on local Spark, resumable (see conf/job.yaml)";
    }

    /** Each flag that sets a config key, with the key (dotted, in the file's names); see {@link #configKeys()}. */
    private static final Map<Flag, String> KEYED = keyed(
            Flag.value("input", "PATH", "the prompts: a file, a directory of files, or a table name"), "input",
            Flag.value("output", "DIR", "the output directory (give this or --output-table)"), "output",
            Flag.value("output-table", "NAME", "also register the rows as catalog table NAME (saveAsTable; its "
                    + "files are in --output, default spark.sql.warehouse.dir/NAME); resumable as a path"),
            "output-table",
            Flag.value("model", "FILE.gguf", "the model, readable at the same path on every executor"), "model",
            Flag.value("input-format", "parquet|jsonl|json|csv|table|openai-batch", "default: inferred from the "
                    + "input's extension (or its files'), and logged"), "input-format",
            Flag.value("output-format", "parquet|jsonl|openai-batch", "default: openai-batch for openai-batch "
                    + "input, else parquet"), "output-format",
            Flag.value("id-column", "NAME", "row ids (default " + GenerateOptions.DEFAULT_ID_COLUMN
                    + "; " + OpenAiBatchInput.ID_COLUMN + " for openai-batch input)"), "columns.id",
            Flag.value("prompt-column", "NAME", "string prompts (default "
                    + GenerateOptions.DEFAULT_PROMPT_COLUMN + ")"), "columns.prompt",
            Flag.value("partitions", "N", "generation tasks (default: rows / "
                    + GenerateOptions.DEFAULT_ROWS_PER_PARTITION + ")"), "partitioning.partitions",
            Flag.value("max-tokens", "N", "most tokens to generate per row"), "sampling.max-tokens",
            Flag.value("temperature", "T", "sampling temperature; 0 is greedy"), "sampling.temperature",
            Flag.value("seed", "S", "random seed; a row's output depends only on it and the row"), "sampling.seed",
            EngineFlags.KV_TYPE, "engine.kv-type",
            Flag.value("max-prompt-chars", "N", "a longer prompt (or rendered chat) is a prompt_too_long row "
                    + "(default " + GenerateOptions.DEFAULT_MAX_PROMPT_CHARS + ")"), "max-prompt-chars",
            EngineFlags.MAX_OUTPUT_BYTES, "engine.max-output-bytes",
            Flag.value("output-schema", "DDL", "constrain each output to JSON of a Spark struct (\"label STRING, "
                    + "score DOUBLE, tags ARRAY<STRING>\"), parsed into a typed <text>_parsed column"),
            "output-schema",
            Flag.value("chat-template-kwargs", "JSON", "chat template variables for every chat row, e.g. "
                    + "'{\"enable_thinking\": false}'; a row's chat_template_kwargs column overrides them per key"),
            "chat-template-kwargs",
            Flag.value("max-error-rate", "R", "exit 5 when more than this share of rows failed (default 0: any; "
                    + "1: never)"), "max-error-rate");

    @Override
    public List<Flag> flags() {
        List<Flag> flags = new ArrayList<>();
        KEYED.forEach((flag, key) -> flags.add(new Flag(flag.name(), flag.label(), flag.defaultValue(),
                flag.repeatable(), flag.description() + " (config key " + key + ")")));
        flags.add(Flag.value("config", "job.yaml", "YAML or JSON job config (keys documented in conf/job.yaml); "
                + "flags override it"));
        flags.add(Flag.value("conf", "KEY=VALUE", "a config key as a dotted path (sampling.top-p=0.9), or a Spark "
                + "setting (spark.*)").repeated());
        flags.add(Flag.toggle("overwrite", "replace earlier output, even of another model or sampling config "
                + "(config key overwrite)"));
        for (Flag gpu : GpuFlags.FLAGS) {
            flags.add(new Flag(gpu.name(), gpu.label(), gpu.defaultValue(), gpu.repeatable(),
                    gpu.description() + " (config key engine." + gpu.name() + ", true or false)"));
        }
        return List.copyOf(flags);
    }

    /** The config key each value flag sets, by flag name: the one place that ties the flags to the file's keys. */
    static Map<String, String> configKeys() {
        Map<String, String> keys = new LinkedHashMap<>();
        KEYED.forEach((flag, key) -> keys.put(flag.name(), key));
        return keys;
    }

    private static Map<Flag, String> keyed(Object... flagsAndKeys) {
        Map<Flag, String> m = new LinkedHashMap<>();
        for (int i = 0; i < flagsAndKeys.length; i += 2) {
            m.put((Flag) flagsAndKeys[i], (String) flagsAndKeys[i + 1]);
        }
        return m;
    }

    @Override
    public String notes() {
        return "exit codes: 0 complete, 2 bad flags or config, 3 bad input/model/output, 4 rows missing (rerun),\n"
                + "            5 all rows written but more failed than --max-error-rate allows";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        return BatchGenerate.run(args, out, err);
    }
}
