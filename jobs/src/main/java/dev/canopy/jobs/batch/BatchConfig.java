package dev.canopy.jobs.batch;

import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * The batch job's configuration file (YAML or JSON; every key is documented in {@code conf/job.yaml}). Unknown
 * keys are rejected by name; absent keys take the defaults below; command-line flags override the file.
 *
 * @param input                   prompts location (path or table name); required
 * @param inputFormat             parquet, jsonl, json, csv, table, openai-batch; unset: inferred from the input
 *                                path ({@link dev.canopy.pipeline.input.InputFormatInference})
 * @param output                  output directory; required unless outputTable is set
 * @param outputFormat            parquet, jsonl or openai-batch; default openai-batch for openai-batch input,
 *                                else parquet
 * @param model                   GGUF model file, readable at the same path on every executor; required
 * @param overwrite               replace earlier output, even of another model or sampling config (default false)
 * @param progressIntervalSeconds seconds between driver progress lines (default 5)
 * @param columns                 input column names
 * @param sampling                default sampling parameters (a row's own columns override them)
 * @param partitioning            how rows are split into generation tasks
 * @param engine                  engine settings on executors
 * @param spark                   Spark settings for the job's session (e.g. {@code spark.master})
 * @param maxPromptChars          longest prompt (or rendered chat) a row may have, in chars; a longer one is a
 *                                per-row error found before tokenizing (default 1048576)
 * @param outputSchema            Spark DDL struct every row's output must be, as JSON (e.g. {@code "label STRING,
 *                                score DOUBLE"}), parsed into a typed {@code <text>_parsed} column; unset: free text
 * @param outputTable             catalog table to write the rows to (saveAsTable; its files are in output, default
 *                                spark.sql.warehouse.dir/NAME); unset: the output directory only
 * @param maxErrorRate            largest share of rows that may fail before the exit code says so (default 0:
 *                                any failed row; 1: never); all rows are written either way
 * @param chatTemplateKwargs      chat template variables for every chat row (e.g. {@code enable_thinking: false}),
 *                                as a map or the text of a JSON object; a row's own column overrides them per key
 */
@JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
public record BatchConfig(String input, String inputFormat, String output, String outputFormat, String model,
                          Boolean overwrite, Integer progressIntervalSeconds, Columns columns, Sampling sampling,
                          Partitioning partitioning, Engine engine, Map<String, String> spark,
                          Integer maxPromptChars, String outputSchema, Double maxErrorRate,
                          String outputTable, com.fasterxml.jackson.databind.JsonNode chatTemplateKwargs) {

    /**
     * The job's own defaults, the only ones written in this layer; every other absent key is left null here and takes
     * the default of the layer that owns it in {@link BatchSpecBuilder} (sampling: {@code SamplingParams.DEFAULTS},
     * columns and partitioning: {@code GenerateOptions}, engine: {@code EngineSettings.defaults()}).
     */
    public static final boolean DEFAULT_OVERWRITE = false;
    public static final int DEFAULT_PROGRESS_INTERVAL_SECONDS = 5;
    public static final double DEFAULT_MAX_ERROR_RATE = 0.0;

    public BatchConfig {
        overwrite = overwrite == null ? DEFAULT_OVERWRITE : overwrite;
        progressIntervalSeconds = progressIntervalSeconds == null ? DEFAULT_PROGRESS_INTERVAL_SECONDS
                : progressIntervalSeconds;
        columns = columns == null ? new Columns(null, null, null, null) : columns;
        sampling = sampling == null ? new Sampling(null, null, null, null, null, null, null, null, null, null, null)
                : sampling;
        partitioning = partitioning == null ? new Partitioning(null, null, null) : partitioning;
        engine = engine == null ? new Engine(null, null, null, null, null, null, null, null, null, null, null, null) : engine;
        spark = spark == null ? Map.of() : new TreeMap<>(spark);
        maxErrorRate = maxErrorRate == null ? DEFAULT_MAX_ERROR_RATE : maxErrorRate;
    }

    /**
     * Input column names.
     *
     * @param prompt   string prompts (default "prompt")
     * @param messages chat messages, used when there is no prompt column (default "messages")
     * @param id       row ids; synthesized from row content when absent (default "id", "custom_id" for
     *                 openai-batch input)
     * @param text     output column of the generated text (default "generated_text")
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Columns(String prompt, String messages, String id, String text) {}

    /** Default sampling parameters; unset ones keep {@code SamplingParams.DEFAULTS}, as every entry point does. */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Sampling(Integer maxTokens, Double temperature, Integer topK, Double topP, Double minP, Long seed,
                           java.util.List<String> stop, Integer n, Double presencePenalty, Double frequencyPenalty,
                           Double repetitionPenalty) {}

    /**
     * @param partitions       generation tasks; default rows / rows-per-partition
     * @param rowsPerPartition target rows per task when partitions is unset (default 128)
     * @param prefixKeyTokens  leading prompt tokens that form the range-partitioning key (default 16)
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Partitioning(Integer partitions, Integer rowsPerPartition, Integer prefixKeyTokens) {}

    /**
     * @param threads        kernel threads per executor (default: the executor's cores)
     * @param maxSeqs        most sequences per engine step (default 64)
     * @param maxBatchTokens most tokens per engine step (default 512)
     * @param kvBudget       KV cache size per executor, e.g. "1g" (default 1g)
     * @param blockSize      tokens per KV block (default 16)
     * @param prefixCaching  share the KV of common prefixes (default true)
     * @param kernels        auto, native, native-avx512, native-avx2, native-c or java (default auto)
     * @param backend        auto (a GPU when usable: the one Spark assigned to the task, else GPU 0; otherwise the
     *                       CPU), cpu or cuda (default auto)
     * @param kvType         KV cache storage: f32, q8 (8-bit) or q4 (4-bit, KIVI); quantized runs on the CPU
     *                       (default f32)
     * @param tensorCores    on a GPU, multiply Q8_0/Q4_0 weights on tensor cores (default true: several times faster
     *                       batched decode, logits within 1e-3 of fp32, still batch-invariant); ignored on the CPU
     * @param sharedPrefixAttention on a GPU, rows sharing cached prefix blocks attend over them together (default
     *                       false: faster for shared prefixes, but a row's output then depends on which rows share
     *                       its step, so reruns with another partitioning may differ); ignored on the CPU
     */
    @JsonNaming(PropertyNamingStrategies.KebabCaseStrategy.class)
    public record Engine(Integer threads, Integer maxSeqs, Integer maxBatchTokens, String kvBudget, Integer blockSize,
                         Boolean prefixCaching, String kernels, String backend, String kvType, Boolean tensorCores,
                         Boolean sharedPrefixAttention, String maxOutputBytes) {}
}
