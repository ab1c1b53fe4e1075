package dev.canopy.pipeline.ml;

import java.util.Arrays;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.engine.EngineBackendFactory;
import dev.canopy.pipeline.engine.EngineSettings;
import dev.canopy.pipeline.input.InputSchema;
import dev.canopy.pipeline.input.RowParam;
import dev.canopy.pipeline.distributed.ResultColumns;

/**
 * A Spark ML {@link Transformer} that appends generated text to a prompt column, for use in a
 * {@link org.apache.spark.ml.Pipeline}:
 *
 * <pre>{@code
 * LlmGenerator generator = new LlmGenerator().setInputCol("question").setOutputCol("answer")
 *         .setModelPath("/models/model.gguf").setMaxTokens(64).setTemperature(0.7).setSeed(1);
 * Dataset<Row> answered = new Pipeline().setStages(new PipelineStage[] {generator}).fit(df).transform(df);
 * }</pre>
 *
 * It adds the output column and the other result columns ({@link ResultColumns}: finish reason, token counts,
 * error, model, latency); rows that cannot generate get an error, not an exception. Per-row parameter columns
 * (temperature, seed, ...) in the input override the params set here.
 */
public final class LlmGenerator extends Transformer implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;
    /** Rows are identified internally by a content hash written to this column, then dropped. */
    private static final String ROW_ID = "llm_generator_row_id";

    private final String uid;

    // Params name their parent by uid, so they are made in the constructor, after the uid is set; Spark finds
    // them through the public no-argument methods below that return them.
    private final Param<String> inputCol;
    private final Param<String> outputCol;
    private final Param<String> modelPath;
    private final IntParam maxTokens;
    private final DoubleParam temperature;
    private final IntParam topK;
    private final DoubleParam topP;
    private final LongParam seed;
    private final LongParam kvBudgetBytes;
    private final IntParam maxPromptChars;
    private final BooleanParam tensorCores;
    private final BooleanParam sharedPrefixAttention;

    public LlmGenerator() {
        this(Identifiable.randomUID("llmGenerator"));
    }

    public LlmGenerator(String uid) {
        this.uid = uid;
        inputCol = new Param<>(this, "inputCol", "string column with the prompts");
        outputCol = new Param<>(this, "outputCol", "column for the generated text");
        modelPath = new Param<>(this, "modelPath", "GGUF model file, readable at this path on every executor");
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
        setDefault(inputCol, "prompt");
        setDefault(outputCol, "generated_text");
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

    /** Reads a generator saved with {@code write().save(path)}. */
    public static MLReader<LlmGenerator> read() {
        return new DefaultParamsReader<>();
    }

    /** {@code read().load(path)}. */
    public static LlmGenerator load(String path) {
        return read().load(path);
    }

    public LlmGenerator setInputCol(String value) {
        set(inputCol, value);
        return this;
    }

    public LlmGenerator setOutputCol(String value) {
        set(outputCol, value);
        return this;
    }

    public LlmGenerator setModelPath(String value) {
        set(modelPath, value);
        return this;
    }

    public LlmGenerator setMaxTokens(int value) {
        set(maxTokens, value);
        return this;
    }

    public LlmGenerator setTemperature(double value) {
        set(temperature, value);
        return this;
    }

    public LlmGenerator setTopK(int value) {
        set(topK, value);
        return this;
    }

    public LlmGenerator setTopP(double value) {
        set(topP, value);
        return this;
    }

    public LlmGenerator setSeed(long value) {
        set(seed, value);
        return this;
    }

    public LlmGenerator setKvBudgetBytes(long value) {
        set(kvBudgetBytes, value);
        return this;
    }

    public LlmGenerator setMaxPromptChars(int value) {
        set(maxPromptChars, value);
        return this;
    }

    public LlmGenerator setTensorCores(boolean value) {
        set(tensorCores, value);
        return this;
    }

    public LlmGenerator setSharedPrefixAttention(boolean value) {
        set(sharedPrefixAttention, value);
        return this;
    }

    /** The options {@link #transform} runs with. */
    public GenerateOptions options() {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("Cannot generate: LlmGenerator " + uid + " has no modelPath; call"
                    + " setModelPath");
        }
        SamplingParams sampling = GenerateOptions.DEFAULT_SAMPLING.toBuilder() // numeric params hold boxed values
                .maxTokens((Integer) $(maxTokens)).temperature((Double) $(temperature)).topK((Integer) $(topK))
                .topP((Double) $(topP)).seed((Long) $(seed)).build();
        EngineSettings engine = EngineSettings.defaults().withKvBudgetBytes((Long) $(kvBudgetBytes))
                .withGpu(new GpuSettings((Boolean) $(tensorCores), (Boolean) $(sharedPrefixAttention)));
        return GenerateOptions.of(new EngineBackendFactory($(modelPath), engine)).withPromptColumn($(inputCol))
                .withTextColumn($(outputCol)).withIdColumn(ROW_ID).withSampling(sampling)
                .withMaxPromptChars((Integer) $(maxPromptChars));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        return Canopy.generate(dataset.toDF(), options()).drop(ROW_ID);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        GenerateOptions options = options();
        InputSchema.validate(schema, options.promptColumn(), options.messagesColumn(), ROW_ID,
                ResultColumns.names(options.textColumn()));
        boolean multiChoice = Arrays.asList(schema.fieldNames()).contains(RowParam.N.column());
        StructField[] fields = ResultColumns.fields(options.textColumn(), multiChoice);
        StructType out = schema;
        for (StructField field : fields) {
            out = out.add(field);
        }
        return out;
    }

    @Override
    public LlmGenerator copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public String uid() {
        return uid;
    }
}
