package dev.canopy.pipeline.ml;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;

import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.engine.EngineSettings;

/**
 * The params of {@link LlmGenerator}, each with its accessor (the {@code Param}, found by Spark through these
 * public no-argument methods) and its getter, per Spark ML's conventions; the setters are on {@link LlmGenerator}.
 */
public abstract class LlmGeneratorParams extends Transformer {

    private static final long serialVersionUID = 1L;

    final String uid;

    // Params name their parent by uid, so they are made in the constructor, after the uid is set; Spark finds
    // them through the public no-argument methods below that return them.
    final Param<String> inputCol;
    final Param<String> outputCol;
    final Param<String> modelPath;
    final IntParam maxTokens;
    final DoubleParam temperature;
    final IntParam topK;
    final DoubleParam topP;
    final LongParam seed;
    final LongParam kvBudgetBytes;
    final IntParam maxPromptChars;
    final BooleanParam tensorCores;
    final BooleanParam sharedPrefixAttention;
    final StringArrayParam rowParamCols;
    final IntParam partitions;
    final Param<String> modelFingerprint;
    final Param<String> outputSchema;

    LlmGeneratorParams(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "string column with the prompts");
        outputCol = new Param<>(this, "outputCol", "column for the generated text");
        modelPath = new Param<>(this, "modelPath", "GGUF model file on the driver (shipped to a cluster's executors)");
        rowParamCols = new StringArrayParam(this, "rowParamCols", "input columns read as per-row sampling parameters"
                + " (each named as the parameter: max_tokens, temperature, top_k, top_p, min_p, seed, stop, n, ...);"
                + " other input columns of those names are passed through untouched");
        partitions = new IntParam(this, "partitions", "generation partitions (0: the context's default parallelism)",
                ParamValidators.gtEq(0));
        modelFingerprint = new Param<>(this, "modelFingerprint", "size and digest of the model saved with the stage"
                + " (set by save; checked by load)");
        outputSchema = new Param<>(this, "outputSchema", "Spark DDL struct the output must be (JSON), parsed into "
                + "<outputCol>_parsed, e.g. \"label STRING, score DOUBLE\"; unset: free text");
        maxTokens = new IntParam(this, "maxTokens", "most tokens to generate per row (>= 1)", ParamValidators.gtEq(1));
        temperature = new DoubleParam(this, "temperature", "sampling temperature (0 = greedy)",
                ParamValidators.gtEq(0));
        topK = new IntParam(this, "topK", "keep the k most likely tokens (0 = off)", ParamValidators.gtEq(0));
        topP = new DoubleParam(this, "topP", "nucleus probability mass in (0, 1] (1 = off)",
                ParamValidators.inRange(0, 1, false, true));
        seed = new LongParam(this, "seed", "random seed; the same row and seed give the same text");
        kvBudgetBytes = new LongParam(this, "kvBudgetBytes", "KV cache bytes per executor (on the JVM heap on the CPU)",
                ParamValidators.gtEq(1));
        maxPromptChars = new IntParam(this, "maxPromptChars", "longest prompt (or rendered chat) in chars; a longer "
                + "row gets a prompt_too_long error before tokenizing", ParamValidators.gtEq(1));
        tensorCores = new BooleanParam(this, "tensorCores", "on a GPU, multiply Q8_0/Q4_0 weights on tensor cores "
                + "(logits within 1e-3 of fp32, batch-invariant; much faster batched); false: fp32 on CUDA cores");
        sharedPrefixAttention = new BooleanParam(this, "sharedPrefixAttention", "on a GPU, rows sharing prefix KV "
                + "blocks attend over them together (faster; a row's logits then depend on which rows share its "
                + "step, so outputs are no longer bit-for-bit reproducible across groupings)");
        SamplingParams d = GenerateOptions.DEFAULT_SAMPLING;
        setDefault(inputCol, GenerateOptions.DEFAULT_PROMPT_COLUMN);
        setDefault(outputCol, GenerateOptions.DEFAULT_TEXT_COLUMN);
        setDefault(maxTokens, d.maxTokens());
        setDefault(temperature, d.temperature());
        setDefault(topK, d.topK());
        setDefault(topP, d.topP());
        setDefault(seed, d.seed());
        EngineSettings engine = EngineSettings.defaults();
        setDefault(kvBudgetBytes, engine.kvBudgetBytes());
        setDefault(maxPromptChars, GenerateOptions.DEFAULT_MAX_PROMPT_CHARS);
        setDefault(tensorCores, engine.gpu().tensorCores());
        setDefault(sharedPrefixAttention, engine.gpu().sharedPrefixAttention());
        setDefault(rowParamCols, new String[0]);
        setDefault(partitions, 0);
    }

    /** The prompt column (default "prompt"). */
    public Param<String> inputCol() {
        return inputCol;
    }

    /** The generated-text column (default "generated_text"). */
    public Param<String> outputCol() {
        return outputCol;
    }

    /** The GGUF model file (required). */
    public Param<String> modelPath() {
        return modelPath;
    }

    /** Most tokens generated per row (default 64). */
    public IntParam maxTokens() {
        return maxTokens;
    }

    /** Sampling temperature (default 0: greedy). */
    public DoubleParam temperature() {
        return temperature;
    }

    /** Top-k filter (default 0: off). */
    public IntParam topK() {
        return topK;
    }

    /** Top-p filter (default 1: off). */
    public DoubleParam topP() {
        return topP;
    }

    /** Random seed (default 0). */
    public LongParam seed() {
        return seed;
    }

    /** KV cache bytes per executor (default: the engine's, 1 GiB). */
    public LongParam kvBudgetBytes() {
        return kvBudgetBytes;
    }

    /** Longest prompt accepted, in chars (default 1 MiB of chars). */
    public IntParam maxPromptChars() {
        return maxPromptChars;
    }

    /** Tensor cores for Q8_0/Q4_0 weights on a GPU (default true; ignored on the CPU). */
    public BooleanParam tensorCores() {
        return tensorCores;
    }

    /** Shared-prefix (cascade) attention on a GPU (default false: it gives up bit-for-bit reproducibility). */
    public BooleanParam sharedPrefixAttention() {
        return sharedPrefixAttention;
    }


    /** Input columns read as per-row sampling parameters (default none). */
    public StringArrayParam rowParamCols() {
        return rowParamCols;
    }

    /** Generation partitions (default 0: the context's default parallelism). */
    public IntParam partitions() {
        return partitions;
    }

    /** The saved model's fingerprint, set by {@code save}. */
    public Param<String> modelFingerprint() {
        return modelFingerprint;
    }

    public String getInputCol() {
        return $(inputCol);
    }

    public String getOutputCol() {
        return $(outputCol);
    }

    /** The model path; throws naming the param when it is not set. */
    public String getModelPath() {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("Cannot generate: LlmGenerator " + uid + " has no modelPath; call"
                    + " setModelPath");
        }
        return $(modelPath);
    }

    public int getMaxTokens() {
        return (Integer) $(maxTokens);
    }

    public double getTemperature() {
        return (Double) $(temperature);
    }

    public int getTopK() {
        return (Integer) $(topK);
    }

    public double getTopP() {
        return (Double) $(topP);
    }

    public long getSeed() {
        return (Long) $(seed);
    }

    public long getKvBudgetBytes() {
        return (Long) $(kvBudgetBytes);
    }

    public int getMaxPromptChars() {
        return (Integer) $(maxPromptChars);
    }

    public boolean getTensorCores() {
        return (Boolean) $(tensorCores);
    }

    public boolean getSharedPrefixAttention() {
        return (Boolean) $(sharedPrefixAttention);
    }

    public String[] getRowParamCols() {
        return $(rowParamCols);
    }

    /** The output's Spark DDL struct (unset: free text). */
    public Param<String> outputSchema() {
        return outputSchema;
    }

    /** The output's Spark DDL struct, or null for free text. */
    public String getOutputSchema() {
        return isDefined(outputSchema) ? $(outputSchema) : null;
    }

    public int getPartitions() {
        return (Integer) $(partitions);
    }

    @Override
    public String uid() {
        return uid;
    }
}
