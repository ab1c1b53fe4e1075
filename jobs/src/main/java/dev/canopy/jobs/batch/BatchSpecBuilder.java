package dev.canopy.jobs.batch;

import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.tensor.KernelChoice;
import java.time.Duration;

import org.apache.hadoop.conf.Configuration;

import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.jobs.units.ByteSize;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.batch.BatchJobSpec;
import dev.canopy.pipeline.batch.OutputFormat;
import dev.canopy.pipeline.engine.EngineAdapterFactory;
import dev.canopy.pipeline.engine.EngineSettings;
import dev.canopy.pipeline.input.InputFormat;
import dev.canopy.pipeline.input.InputFormatInference;
import dev.canopy.pipeline.input.InputSpec;
import dev.canopy.pipeline.input.OpenAiBatchInput;

/**
 * The one bridge from a {@link BatchConfig} to the pipeline's {@link BatchJobSpec}: each config key is copied here and
 * nowhere else, and a key the file leaves unset takes the default of the layer that owns it ({@link GenerateOptions#of},
 * {@link SamplingParams#DEFAULTS}, {@link EngineSettings#defaults()}), so the job runs as the notebook, the Spark ML
 * stage and {@code canopy generate} do. Values are checked on the way.
 */
public final class BatchSpecBuilder {

    private BatchSpecBuilder() {}

    /**
     * The job {@code config} describes.
     *
     * @throws ConfigException naming the key when one is missing or out of range
     */
    public static BatchJobSpec build(BatchConfig config) {
        String input = required(config.input(), "input");
        String output = config.outputTable() != null && config.output() == null ? tableLocation(config)
                : required(config.output(), "output");
        String model = absolute(required(config.model(), "model"));
        try {
            InputFormat inputFormat = config.inputFormat() == null
                    ? InputFormatInference.infer(input, new Configuration())
                    : InputFormat.parse(config.inputFormat());
            OutputFormat outputFormat = config.outputFormat() != null ? OutputFormat.parse(config.outputFormat())
                    : inputFormat == InputFormat.OPENAI_BATCH ? OutputFormat.OPENAI_BATCH : OutputFormat.PARQUET;
            GenerateOptions options = options(config, new EngineAdapterFactory(model, engine(config.engine())),
                    inputFormat);
            return new BatchJobSpec(new InputSpec(input, inputFormat), output, outputFormat, options,
                    config.overwrite(), Duration.ofSeconds(config.progressIntervalSeconds()), config.outputTable());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Cannot configure the batch job: " + e.getMessage(), e);
        }
    }

    private static GenerateOptions options(BatchConfig config, EngineAdapterFactory engine, InputFormat format) {
        BatchConfig.Columns c = config.columns();
        BatchConfig.Partitioning p = config.partitioning();
        GenerateOptions d = GenerateOptions.of(engine);
        String defaultId = format == InputFormat.OPENAI_BATCH ? OpenAiBatchInput.ID_COLUMN : d.idColumn();
        GenerateOptions options = d
                .withPromptColumn(or(c.prompt(), d.promptColumn()))
                .withMessagesColumn(or(c.messages(), d.messagesColumn()))
                .withIdColumn(or(c.id(), defaultId))
                .withTextColumn(or(c.text(), d.textColumn()))
                .withSampling(sampling(config.sampling()));
        if (p.partitions() != null) {
            options = options.withPartitions(p.partitions());
        }
        if (p.rowsPerPartition() != null) {
            options = options.withRowsPerPartition(p.rowsPerPartition());
        }
        if (p.prefixKeyTokens() != null) {
            options = options.withPrefixKeyTokens(p.prefixKeyTokens());
        }
        if (config.maxPromptChars() != null) {
            options = options.withMaxPromptChars(config.maxPromptChars());
        }
        if (config.chatTemplateKwargs() != null && !config.chatTemplateKwargs().isNull()) {
            var kwargs = config.chatTemplateKwargs();
            try {
                options = options.withChatTemplateKwargs(kwargs.isTextual() ? kwargs.asText() : kwargs.toString());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Cannot use config key chat-template-kwargs: " + e.getMessage(), e);
            }
        }
        if (config.outputSchema() != null) {
            options = options.withOutputSchema(config.outputSchema());
        }
        return options;
    }

    static SamplingParams sampling(BatchConfig.Sampling s) {
        SamplingParams d = GenerateOptions.DEFAULT_SAMPLING;
        return d.toBuilder()
                .maxTokens(or(s.maxTokens(), d.maxTokens()))
                .temperature(or(s.temperature(), d.temperature()))
                .topK(or(s.topK(), d.topK()))
                .topP(or(s.topP(), d.topP()))
                .minP(or(s.minP(), d.minP()))
                .seed(or(s.seed(), d.seed()))
                .stop(or(s.stop(), d.stop()))
                .n(or(s.n(), d.n()))
                .presencePenalty(or(s.presencePenalty(), d.presencePenalty()))
                .frequencyPenalty(or(s.frequencyPenalty(), d.frequencyPenalty()))
                .repetitionPenalty(or(s.repetitionPenalty(), d.repetitionPenalty()))
                .build();
    }

    static EngineSettings engine(BatchConfig.Engine e) {
        EngineSettings d = EngineSettings.defaults();
        long kvBudget = e.kvBudget() == null ? d.kvBudgetBytes() : ByteSize.parse(e.kvBudget())
                .orElseThrow(() -> new ConfigException("Cannot read key 'engine.kv-budget': '" + e.kvBudget()
                        + "' is not a size such as 512m or 2g"));
        long maxOutput = e.maxOutputBytes() == null ? d.maxOutputBytes() : ByteSize.parse(e.maxOutputBytes())
                .orElseThrow(() -> new ConfigException("Cannot read key 'engine.max-output-bytes': '"
                        + e.maxOutputBytes() + "' is not a size such as 64k or 4m"));
        return new EngineSettings(or(e.threads(), d.threads()), or(e.maxSeqs(), d.maxSeqs()),
                or(e.maxBatchTokens(), d.maxBatchTokens()), kvBudget, or(e.blockSize(), d.blockSize()),
                or(e.prefixCaching(), d.prefixCaching()), kernels(e.kernels(), d.kernels()),
                e.backend() == null ? d.backend() : BackendKind.parse(e.backend()), kvType(e.kvType(), d.kvType()),
                new GpuSettings(or(e.tensorCores(), d.gpu().tensorCores()),
                        or(e.sharedPrefixAttention(), d.gpu().sharedPrefixAttention())), maxOutput);
    }

    private static KvCacheType kvType(String name, KvCacheType fallback) {
        if (name == null) {
            return fallback;
        }
        try {
            return KvCacheType.parse(name);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Cannot read key 'engine.kv-type': expected f32, q8 or q4, got '" + name + "'");
        }
    }

    private static KernelChoice kernels(String name, KernelChoice fallback) {
        if (name == null) {
            return fallback;
        }
        return KernelChoice.fromName(name).orElseThrow(() -> new ConfigException(
                "Cannot read key 'engine.kernels': expected " + KernelChoice.NAMES + ", got '" + name + "'"));
    }

    /** Where an output table's files go without --output: under the session's warehouse, as a managed table's. */
    private static String tableLocation(BatchConfig config) {
        String warehouse = config.spark().getOrDefault("spark.sql.warehouse.dir",
                System.getProperty("spark.sql.warehouse.dir", "spark-warehouse"));
        return absolute(warehouse + "/" + config.outputTable());
    }

    /** The model path made absolute here, so executors with another working directory find it too. */
    private static String absolute(String model) {
        if (model.contains("://")) { // a URI (hdfs://, s3a://, file://...): read through Hadoop or as its path
            return model;
        }
        return java.nio.file.Path.of(model).toAbsolutePath().normalize().toString();
    }

    private static String required(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new ConfigException("Cannot start the batch job: '" + key + "' is not set (give --" + key
                    + " or set " + key + ": in the config file)");
        }
        return value;
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
