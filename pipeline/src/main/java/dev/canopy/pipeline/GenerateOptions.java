package dev.canopy.pipeline;

import java.util.Objects;
import java.util.OptionalInt;

import dev.canopy.pipeline.generate.ModelAdapterFactory;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.pipeline.engine.EngineAdapterFactory;

/**
 * How to generate over a Dataset: the model, where prompts and ids are, sampling defaults and partitioning.
 * Immutable; {@code with...} methods return changed copies.
 *
 * @param modelAdapter     opens the model on executors (Canopy's engine: {@link EngineAdapterFactory})
 * @param promptColumn     string prompt column (default "prompt")
 * @param messagesColumn   chat messages column, used when there is no prompt column (default "messages")
 * @param idColumn         row id column (default "id"); when the input lacks it, ids are synthesized into it from
 *                         a hash of the row's content (plus an occurrence number for identical rows)
 * @param textColumn       output column for the generated text (default "generated_text")
 * @param sampling         sampling defaults; a row's own parameter columns override them ({@link #DEFAULT_SAMPLING})
 * @param partitions       number of generation partitions; empty: rows / rowsPerPartition
 * @param rowsPerPartition target rows per partition when {@code partitions} is empty (default 128)
 * @param prefixKeyTokens  leading tokens that form the partitioning key (default 16)
 * @param maxPromptChars   longest prompt (or rendered chat) accepted, in UTF-16 chars (default
 *                         {@link #DEFAULT_MAX_PROMPT_CHARS}); a longer one is a per-row error, found before
 *                         tokenizing so that one huge row cannot make an executor allocate without limit
 * @param outputSchema     Spark DDL struct every row's output must be JSON of, or null ({@link #withOutputSchema})
 * @param chatTemplateKwargs the job's chat template variables as a JSON object (e.g. {@code {"enable_thinking":
 *                         false}}), or null; a chat row's own {@code chat_template_kwargs} column overrides them key by
 *                         key ({@link #withChatTemplateKwargs})
 */
public record GenerateOptions(ModelAdapterFactory modelAdapter, String promptColumn, String messagesColumn,
                              String idColumn, String textColumn, SamplingParams sampling,
                              OptionalInt partitions, int rowsPerPartition, int prefixKeyTokens,
                              int maxPromptChars, String outputSchema, String chatTemplateKwargs) {

    /** {@link SamplingParams#DEFAULTS}: greedy, at most 64 tokens, seed 0, one choice. */
    public static final SamplingParams DEFAULT_SAMPLING = SamplingParams.DEFAULTS;

    public static final String DEFAULT_PROMPT_COLUMN = "prompt";
    public static final String DEFAULT_MESSAGES_COLUMN = "messages";
    public static final String DEFAULT_ID_COLUMN = "id";
    public static final String DEFAULT_TEXT_COLUMN = "generated_text";
    public static final int DEFAULT_ROWS_PER_PARTITION = 128;
    public static final int DEFAULT_PREFIX_KEY_TOKENS = 16;

    /** 1 Mi chars: far more than any context holds, small enough to tokenize in about a second. */
    public static final int DEFAULT_MAX_PROMPT_CHARS = 1 << 20;

    /** Options without an output schema. */
    public GenerateOptions(ModelAdapterFactory modelAdapter, String promptColumn, String messagesColumn, String idColumn,
                           String textColumn, SamplingParams sampling, OptionalInt partitions, int rowsPerPartition,
                           int prefixKeyTokens, int maxPromptChars) {
        this(modelAdapter, promptColumn, messagesColumn, idColumn, textColumn, sampling, partitions, rowsPerPartition,
                prefixKeyTokens, maxPromptChars, null, null);
    }

    /**
     * These options with chat template variables for every chat row, as a JSON object such as
     * {@code {"enable_thinking": false}}; a row's own {@code chat_template_kwargs} column wins for the keys it sets.
     * Null: none.
     *
     * @throws IllegalArgumentException when the text is not a JSON object
     */
    public GenerateOptions withChatTemplateKwargs(String json) {
        if (json != null) {
            ChatTemplateKwargs.parse(json);
        }
        return new GenerateOptions(modelAdapter, promptColumn, messagesColumn, idColumn, textColumn, sampling, partitions,
                rowsPerPartition, prefixKeyTokens, maxPromptChars, outputSchema, json);
    }

    /**
     * These options with every row's output constrained to the Spark DDL struct {@code ddl} (e.g.
     * {@code "label STRING, score DOUBLE, tags ARRAY<STRING>"}) and parsed into a typed column
     * {@code <textColumn>_parsed}; null for free text. See {@link dev.canopy.pipeline.structured.OutputSchema}.
     *
     * @throws IllegalArgumentException when the DDL does not parse or a type has no JSON form
     */
    public GenerateOptions withOutputSchema(String ddl) {
        if (ddl != null) {
            dev.canopy.pipeline.structured.OutputSchema.jsonSchema(ddl);
        }
        return new GenerateOptions(modelAdapter, promptColumn, messagesColumn, idColumn, textColumn, sampling, partitions,
                rowsPerPartition, prefixKeyTokens, maxPromptChars, ddl, chatTemplateKwargs);
    }

    public GenerateOptions {
        Objects.requireNonNull(modelAdapter, "Cannot use modelAdapter: it is null; use GenerateOptions.forModel(path)");
        requireName("promptColumn", promptColumn);
        requireName("messagesColumn", messagesColumn);
        requireName("idColumn", idColumn);
        requireName("textColumn", textColumn);
        Objects.requireNonNull(sampling, "Cannot use sampling: it is null; use DEFAULT_SAMPLING.toBuilder()");
        Objects.requireNonNull(partitions, "Cannot use partitions: it is null; use OptionalInt.empty()");
        if (partitions.isPresent() && partitions.getAsInt() < 1) {
            throw new IllegalArgumentException("Cannot use partitions " + partitions.getAsInt() + ": it must be >= 1");
        }
        if (rowsPerPartition < 1) {
            throw new IllegalArgumentException("Cannot use rowsPerPartition " + rowsPerPartition + ": it must be >= 1");
        }
        if (prefixKeyTokens < 1) {
            throw new IllegalArgumentException("Cannot use prefixKeyTokens " + prefixKeyTokens + ": it must be >= 1");
        }
        if (maxPromptChars < 1) {
            throw new IllegalArgumentException("Cannot use maxPromptChars " + maxPromptChars + ": it must be >= 1");
        }
    }

    /** Defaults for everything, on the GGUF model at {@code modelPath} run by Canopy's engine. */
    public static GenerateOptions forModel(String modelPath) {
        Objects.requireNonNull(modelPath, "Cannot use the model: its path is null; give a GGUF file");
        return of(EngineAdapterFactory.forModel(modelPath));
    }

    /** Defaults for everything but the model, which {@code modelAdapter} opens. */
    public static GenerateOptions of(ModelAdapterFactory modelAdapter) {
        return new GenerateOptions(modelAdapter, DEFAULT_PROMPT_COLUMN, DEFAULT_MESSAGES_COLUMN, DEFAULT_ID_COLUMN,
                DEFAULT_TEXT_COLUMN, DEFAULT_SAMPLING, OptionalInt.empty(), DEFAULT_ROWS_PER_PARTITION,
                DEFAULT_PREFIX_KEY_TOKENS, DEFAULT_MAX_PROMPT_CHARS);
    }

    private static void requireName(String what, String value) {
        Objects.requireNonNull(value, () -> "Cannot use " + what + ": it is null; give a column name");
        if (value.isBlank()) {
            throw new IllegalArgumentException("Cannot use " + what + ": it is blank");
        }
    }

    /** At most {@code value} new tokens per row (default 64); a row's {@code max_tokens} column overrides it. */
    public GenerateOptions withMaxTokens(int value) {
        return withSampling(sampling.toBuilder().maxTokens(value).build());
    }

    /** Sampling temperature (default 0: greedy); a row's {@code temperature} column overrides it. */
    public GenerateOptions withTemperature(double value) {
        return withSampling(sampling.toBuilder().temperature(value).build());
    }

    /** Nucleus sampling mass in (0, 1] (default 1: off). */
    public GenerateOptions withTopP(double value) {
        return withSampling(sampling.toBuilder().topP(value).build());
    }

    /** Keep the {@code value} most likely tokens (default 0: off). */
    public GenerateOptions withTopK(int value) {
        return withSampling(sampling.toBuilder().topK(value).build());
    }

    /** Random seed (default 0): the same row and seed generate the same text wherever the row ran. */
    public GenerateOptions withSeed(long value) {
        return withSampling(sampling.toBuilder().seed(value).build());
    }

    /** Completions per row (default 1); with more, all of them are in a {@code choices} column. */
    public GenerateOptions withN(int value) {
        return withSampling(sampling.toBuilder().n(value).build());
    }

    /** Strings that end a completion (default none). */
    public GenerateOptions withStop(java.util.List<String> value) {
        Objects.requireNonNull(value, "Cannot use stop: it is null; give an empty list for none");
        return withSampling(sampling.toBuilder().stop(value).build());
    }

    /** These options with the model opened by {@code value} (e.g. an engine with other settings). */
    public GenerateOptions withModelAdapter(ModelAdapterFactory value) {
        return new GenerateOptions(value, promptColumn, messagesColumn, idColumn, textColumn, sampling, partitions,
                rowsPerPartition, prefixKeyTokens, maxPromptChars, outputSchema, chatTemplateKwargs);
    }

    public GenerateOptions withPromptColumn(String value) {
        return new GenerateOptions(modelAdapter, value, messagesColumn, idColumn, textColumn, sampling, partitions,
                rowsPerPartition, prefixKeyTokens, maxPromptChars, outputSchema, chatTemplateKwargs);
    }

    public GenerateOptions withMessagesColumn(String value) {
        return new GenerateOptions(modelAdapter, promptColumn, value, idColumn, textColumn, sampling, partitions,
                rowsPerPartition, prefixKeyTokens, maxPromptChars, outputSchema, chatTemplateKwargs);
    }

    public GenerateOptions withIdColumn(String value) {
        return new GenerateOptions(modelAdapter, promptColumn, messagesColumn, value, textColumn, sampling, partitions,
                rowsPerPartition, prefixKeyTokens, maxPromptChars, outputSchema, chatTemplateKwargs);
    }

    public GenerateOptions withTextColumn(String value) {
        return new GenerateOptions(modelAdapter, promptColumn, messagesColumn, idColumn, value, sampling, partitions,
                rowsPerPartition, prefixKeyTokens, maxPromptChars, outputSchema, chatTemplateKwargs);
    }

    public GenerateOptions withSampling(SamplingParams value) {
        return new GenerateOptions(modelAdapter, promptColumn, messagesColumn, idColumn, textColumn, value, partitions,
                rowsPerPartition, prefixKeyTokens, maxPromptChars, outputSchema, chatTemplateKwargs);
    }

    public GenerateOptions withPartitions(int value) {
        return new GenerateOptions(modelAdapter, promptColumn, messagesColumn, idColumn, textColumn, sampling,
                OptionalInt.of(value), rowsPerPartition, prefixKeyTokens, maxPromptChars, outputSchema, chatTemplateKwargs);
    }

    public GenerateOptions withRowsPerPartition(int value) {
        return new GenerateOptions(modelAdapter, promptColumn, messagesColumn, idColumn, textColumn, sampling, partitions,
                value, prefixKeyTokens, maxPromptChars, outputSchema, chatTemplateKwargs);
    }

    public GenerateOptions withPrefixKeyTokens(int value) {
        return new GenerateOptions(modelAdapter, promptColumn, messagesColumn, idColumn, textColumn, sampling, partitions,
                rowsPerPartition, value, maxPromptChars, outputSchema, chatTemplateKwargs);
    }

    public GenerateOptions withMaxPromptChars(int value) {
        return new GenerateOptions(modelAdapter, promptColumn, messagesColumn, idColumn, textColumn, sampling, partitions,
                rowsPerPartition, prefixKeyTokens, value, outputSchema, chatTemplateKwargs);
    }
}
