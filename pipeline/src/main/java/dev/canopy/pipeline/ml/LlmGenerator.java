package dev.canopy.pipeline.ml;

import static org.apache.spark.sql.functions.col;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import dev.canopy.pipeline.structured.OutputSchema;
import dev.canopy.pipeline.Canopy;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.distributed.ResultColumns;
import dev.canopy.pipeline.input.InvalidInputException;

/**
 * A Spark ML {@link org.apache.spark.ml.Transformer} that generates text for a prompt column, for use in a
 * {@link org.apache.spark.ml.Pipeline}:
 *
 * <pre>{@code
 * LlmGenerator generator = new LlmGenerator().setInputCol("question").setOutputCol("answer")
 *         .setModelPath("/models/model.gguf").setMaxTokens(64).setTemperature(0.7).setSeed(1);
 * Dataset<Row> answered = new Pipeline().setStages(new PipelineStage[] {generator}).fit(df).transform(df);
 * }</pre>
 *
 * It adds one struct column, {@code outputCol} ({@link GeneratorOutput}: text, finish reason, token counts, error),
 * after the input's columns, which pass through unchanged; rows that cannot generate get an error, not an
 * exception. {@link #transform} is lazy: it checks the schema and the model file on the driver and starts no Spark
 * job. Input columns are read as per-row sampling parameters only when listed in {@code rowParamCols}. {@code save}
 * copies the model file into the saved stage with its fingerprint; {@code load} checks it and uses that copy.
 */
public final class LlmGenerator extends LlmGeneratorParams implements MLWritable {

    private static final long serialVersionUID = 1L;
    /** Rows are identified internally by a content hash written to this column, then dropped. */
    private static final String ROW_ID = "llm_generator_row_id";
    /** The generated text's column while generating, before it moves into the output struct. */
    private static final String TEXT = "llm_generator_text";
    /** Input columns whose names generation would read or write are renamed with this prefix meanwhile. */
    private static final String ASIDE = "llm_generator_aside_";

    public LlmGenerator() {
        this(Identifiable.randomUID("llmGenerator"));
    }

    public LlmGenerator(String uid) {
        super(uid);
    }

    /** Reads a generator saved with {@code write().save(path)}, opening the model saved with it. */
    public static MLReader<LlmGenerator> read() {
        return new LlmGeneratorReader();
    }

    /** {@code read().load(path)}. */
    public static LlmGenerator load(String path) {
        return read().load(path);
    }

    /** Saves the params, a copy of the model file and its fingerprint. */
    @Override
    public MLWriter write() {
        return new LlmGeneratorWriter(this);
    }

    public LlmGenerator setInputCol(String value) {
        return with(inputCol, value);
    }

    public LlmGenerator setOutputCol(String value) {
        return with(outputCol, value);
    }

    public LlmGenerator setModelPath(String value) {
        return with(modelPath, value);
    }

    public LlmGenerator setMaxTokens(int value) {
        return with(maxTokens, value);
    }

    public LlmGenerator setTemperature(double value) {
        return with(temperature, value);
    }

    public LlmGenerator setTopK(int value) {
        return with(topK, value);
    }

    public LlmGenerator setTopP(double value) {
        return with(topP, value);
    }

    public LlmGenerator setSeed(long value) {
        return with(seed, value);
    }

    public LlmGenerator setKvBudgetBytes(long value) {
        return with(kvBudgetBytes, value);
    }

    public LlmGenerator setMaxPromptChars(int value) {
        return with(maxPromptChars, value);
    }

    public LlmGenerator setTensorCores(boolean value) {
        return with(tensorCores, value);
    }

    /** Constrains every row's output to JSON of this Spark DDL struct, parsed into {@code <outputCol>_parsed}. */
    public LlmGenerator setOutputSchema(String value) {
        return with(outputSchema, value);
    }

    public LlmGenerator setSharedPrefixAttention(boolean value) {
        return with(sharedPrefixAttention, value);
    }

    /** Input columns to read as per-row sampling parameters, each named as its parameter ({@code temperature}). */
    public LlmGenerator setRowParamCols(String... value) {
        return with(rowParamCols, value);
    }

    public LlmGenerator setPartitions(int value) {
        return with(partitions, value);
    }

    LlmGenerator setModelFingerprint(String value) {
        return with(modelFingerprint, value);
    }

    private <T> LlmGenerator with(org.apache.spark.ml.param.Param<T> param, T value) {
        if (value == null) {
            throw new IllegalArgumentException("Cannot set " + param.name() + " of LlmGenerator " + uid
                    + ": the value is null");
        }
        set(param, value);
        return this;
    }

    /**
     * The options {@link #transform} runs with ({@link LlmGeneratorOptions}; the text goes to an internal column,
     * then into the struct).
     */
    public GenerateOptions options() {
        return LlmGeneratorOptions.of(this, TEXT, ROW_ID);
    }

    /**
     * The input's columns and the output struct, computed lazily. Checks the schema and the model file now; on a
     * cluster, ships the model to the executors.
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        Map<String, String> aside = aside(dataset.schema());
        Dataset<Row> input = dataset.toDF();
        for (Map.Entry<String, String> rename : aside.entrySet()) {
            input = input.withColumnRenamed(rename.getKey(), rename.getValue());
        }
        GenerateOptions options = options();
        boolean multiChoice = multiChoice(input.schema(), options);
        Dataset<Row> generated = Canopy.generateLazily(input, options);
        List<Column> out = new ArrayList<>();
        for (String name : dataset.schema().fieldNames()) {
            out.add(col("`" + aside.getOrDefault(name, name) + "`").as(name));
        }
        out.add(GeneratorOutput.column(TEXT, multiChoice).as(getOutputCol()));
        if (getOutputSchema() != null && !multiChoice) {
            out.add(col(OutputSchema.parsedColumn(TEXT)).as(OutputSchema.parsedColumn(getOutputCol())));
        }
        return generated.select(out.toArray(Column[]::new));
    }

    /** The input's schema plus the output struct; throws naming a missing, mistyped or colliding column. */
    @Override
    public StructType transformSchema(StructType schema) {
        if (Arrays.asList(schema.fieldNames()).contains(getOutputCol())) {
            throw new InvalidInputException("Cannot generate into column '" + getOutputCol() + "': the input has"
                    + " a column of that name; choose another outputCol");
        }
        StructType visible = schema;
        Map<String, String> aside = aside(schema);
        for (Map.Entry<String, String> rename : aside.entrySet()) {
            visible = GeneratorOutput.renamed(visible, rename.getKey(), rename.getValue());
        }
        boolean multiChoice = multiChoice(visible, options());
        StructType out = schema.add(getOutputCol(), GeneratorOutput.type(multiChoice), false);
        if (getOutputSchema() != null && !multiChoice) {
            out = out.add(OutputSchema.parsedColumn(getOutputCol()), OutputSchema.structType(getOutputSchema()));
        }
        return out;
    }

    /** Input columns generation must not see under their names: unmapped parameters and result names. */
    private Map<String, String> aside(StructType schema) {
        Map<String, String> aside = new LinkedHashMap<>();
        for (String name : GeneratorOutput.namesGenerationReads(TEXT, getRowParamCols(), schema)) {
            aside.put(name, ASIDE + name);
        }
        return aside;
    }

    /**
     * Whether the output struct has every choice: checks {@code visible} (the input, its unmapped parameter columns
     * set aside) against {@code options}, naming a missing or mistyped column, and asks the generation paths' rule.
     */
    private static boolean multiChoice(StructType visible, GenerateOptions options) {
        return ResultColumns.multiChoice(options.sampling(), Canopy.validateSchema(visible, options));
    }

    @Override
    public LlmGenerator copy(ParamMap extra) {
        return defaultCopy(extra);
    }
}
