package dev.canopy.pipeline.distributed;

import dev.canopy.executor.structured.Constraint;
import dev.canopy.pipeline.structured.OutputSchema;
import dev.canopy.pipeline.structured.ResponseFormat;
import java.io.Serializable;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

import org.apache.spark.sql.Row;

import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sample.SamplingParamsParser;

import dev.canopy.pipeline.ChatTemplateKwargs;
import dev.canopy.pipeline.GenerateOptions;
import dev.canopy.pipeline.generate.ErrorKind;
import dev.canopy.pipeline.generate.ModelAdapter;
import dev.canopy.pipeline.generate.RowError;
import dev.canopy.pipeline.generate.SamplingFields;
import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.input.PromptSource;

/**
 * Reads a row's prompt and parameters on an executor and checks them (parameters with
 * {@link SamplingParamsParser}, over the job's defaults): null or empty prompt, bad parameters,
 * {@code max_tokens} beyond the model's context, unrenderable messages, prompts over the character cap
 * (checked before tokenizing) and prompts longer than the context all become per-row errors.
 */
final class RowPreparer implements Serializable {

    private static final long serialVersionUID = 1L;

    /** How much of a malformed line its error quotes. */
    static final int SHOWN_LINE_CHARS = 80;

    private final InputColumns columns;
    private final SamplingFields defaultFields;
    private final int maxPromptChars;
    private transient SamplingParams defaults; // rebuilt from defaultFields on executors
    private final String outputJsonSchema; // every row's output constraint (JSON Schema text), or null
    private final String chatTemplateKwargs; // the job's chat template variables (a JSON object), or null
    private transient Map<String, Object> jobKwargs; // parsed from chatTemplateKwargs on first use

    RowPreparer(InputColumns columns, SamplingParams defaults, int maxPromptChars) {
        this(columns, defaults, maxPromptChars, null);
    }

    RowPreparer(InputColumns columns, SamplingParams defaults, int maxPromptChars, String outputJsonSchema) {
        this(columns, defaults, maxPromptChars, outputJsonSchema, null);
    }

    private RowPreparer(InputColumns columns, SamplingParams defaults, int maxPromptChars, String outputJsonSchema,
                        String chatTemplateKwargs) {
        this.columns = Objects.requireNonNull(columns, "columns");
        this.defaultFields = SamplingFields.of(defaults);
        this.defaults = defaults;
        this.maxPromptChars = maxPromptChars;
        this.outputJsonSchema = outputJsonSchema;
        this.chatTemplateKwargs = chatTemplateKwargs;
    }

    /** The preparer of a job's rows: its sampling defaults, prompt cap, output schema and chat template variables. */
    static RowPreparer forJob(InputColumns columns, GenerateOptions options) {
        return new RowPreparer(columns, options.sampling(), options.maxPromptChars(),
                options.outputSchema() == null ? null : OutputSchema.jsonSchema(options.outputSchema()),
                options.chatTemplateKwargs());
    }

    /**
     * The row's tokens, sampling and output constraint, or why it cannot generate: the job's one check of a row's
     * prompt and parameters (generation trusts what it returns, carried by {@link PreparedColumns}).
     */
    PreparedPrompt prepare(Row row, ModelAdapter backend) {
        if (defaults == null) {
            defaults = defaultFields.params();
        }
        Optional<RowError> malformed = malformed(row);
        if (malformed.isPresent()) {
            return new PreparedPrompt.Rejected(malformed.get(), 0);
        }
        SamplingParams sampling;
        try {
            sampling = SamplingParamsParser.parse(RowParamValues.of(row, columns), defaults);
        } catch (IllegalArgumentException e) {
            return new PreparedPrompt.Rejected(new RowError(ErrorKind.INVALID_PARAMS, e.getMessage()), 0);
        }
        if (sampling.maxTokens() > backend.contextLength()) {
            return new PreparedPrompt.Rejected(new RowError(ErrorKind.INVALID_PARAMS, "field max_tokens: Cannot"
                    + " generate " + sampling.maxTokens() + " tokens: the model's context holds "
                    + backend.contextLength() + "; use max_tokens in [1, " + backend.contextLength() + "]"), 0);
        }
        int index = columns.sourceIndex();
        if (row.isNullAt(index)) {
            return new PreparedPrompt.Rejected(new RowError(ErrorKind.NULL_PROMPT,
                    "Cannot generate: column '" + columns.sourceName() + "' is null"), 0);
        }
        String prompt;
        if (columns.source() == PromptSource.PROMPT) {
            prompt = row.getString(index);
        } else {
            try {
                if (jobKwargs == null) {
                    jobKwargs = ChatTemplateKwargs.parse(chatTemplateKwargs);
                }
                prompt = backend.chatRenderer().render(ChatRequests.of(row, index, maxPromptChars, jobKwargs));
            } catch (PromptTooLongException e) {
                return new PreparedPrompt.Rejected(new RowError(ErrorKind.PROMPT_TOO_LONG, e.getMessage()), 0);
            } catch (IllegalArgumentException e) {
                return new PreparedPrompt.Rejected(new RowError(ErrorKind.INVALID_MESSAGES, e.getMessage()), 0);
            }
        }
        Optional<RowError> tooLong = tooManyChars(prompt, backend);
        if (tooLong.isPresent()) {
            return new PreparedPrompt.Rejected(tooLong.get(), 0);
        }
        if (prompt.isEmpty()) {
            return new PreparedPrompt.Rejected(new RowError(ErrorKind.EMPTY_PROMPT,
                    "Cannot generate: the prompt in column '" + columns.sourceName() + "' is empty"), 0);
        }
        int[] tokens = backend.tokenizer().encode(prompt);
        if (tokens.length >= backend.contextLength()) {
            return new PreparedPrompt.Rejected(new RowError(ErrorKind.PROMPT_TOO_LONG, "Cannot generate: the prompt has "
                    + tokens.length + " tokens but the model's context holds " + backend.contextLength()
                    + " (prompt plus at least one generated token)"), tokens.length);
        }
        Constraint constraint = jobConstraint();
        try {
            constraint = ResponseFormat.of(row).orElse(constraint); // a row's response_format wins over the job's
        } catch (IllegalArgumentException e) {
            return new PreparedPrompt.Rejected(new RowError(ErrorKind.INVALID_PARAMS, e.getMessage()), tokens.length);
        }
        return new PreparedPrompt.Ready(tokens, sampling, constraint);
    }

    /** The columns that carry this preparer's results to generation, rows at the job's sampling and constraint. */
    PreparedColumns preparedColumns() {
        return new PreparedColumns(defaultFields.params(), jobConstraint());
    }

    private Constraint jobConstraint() {
        return outputJsonSchema == null ? null : new Constraint.JsonSchema(outputJsonSchema);
    }

    /** Whether the reader could not parse the row's line (its error is {@link #malformed}'s). */
    boolean hasMalformedLine(Row row) {
        return columns.malformedRecordIndex().filter(i -> !row.isNullAt(i)).isPresent();
    }

    /**
     * Why {@code prompt} is too long to tokenize, if it is: over {@code maxPromptChars}, or over what the model's
     * context can hold at most (tokenizing costs time and memory in proportion to the text, so neither is).
     */
    private Optional<RowError> tooManyChars(String prompt, ModelAdapter backend) {
        if (prompt.length() > maxPromptChars) {
            return Optional.of(tooLong(prompt, "the " + maxPromptChars + " allowed (maxPromptChars)"));
        }
        OptionalInt perToken = backend.maxCharsPerToken();
        if (perToken.isPresent() && prompt.length() > (long) backend.contextLength() * perToken.getAsInt()) {
            return Optional.of(tooLong(prompt, "the model's context of " + backend.contextLength()
                    + " tokens can hold (a token stands for at most " + perToken.getAsInt() + " characters)"));
        }
        return Optional.empty();
    }

    private RowError tooLong(String prompt, String limit) {
        return new RowError(ErrorKind.PROMPT_TOO_LONG, "Cannot generate: the prompt in column '" + columns.sourceName()
                + "' has " + prompt.length() + " characters, more than " + limit);
    }

    /**
     * The error of a row whose line the reader could not parse (all its columns are null), if it is one: a
     * {@code prompt_too_long} when its prompt or messages span more characters than {@code maxPromptChars} (the JSON
     * reader gives up on strings of 20M characters), else a {@code malformed_row}.
     */
    Optional<RowError> malformed(Row row) {
        return columns.malformedRecordIndex().filter(i -> !row.isNullAt(i)).map(i -> {
            String line = row.getString(i);
            long sourceChars = MalformedLine.scan(line, columns.idName(), columns.sourceName()).sourceChars();
            if (sourceChars > maxPromptChars) {
                return new RowError(ErrorKind.PROMPT_TOO_LONG, "Cannot generate: the '" + columns.sourceName()
                        + "' value of this row spans " + sourceChars + " characters of JSON, more than the "
                        + maxPromptChars + " allowed (maxPromptChars); the line was not parsed");
            }
            String shown = line.length() > SHOWN_LINE_CHARS ? line.substring(0, SHOWN_LINE_CHARS) + "..." : line;
            return new RowError(ErrorKind.MALFORMED_ROW, "Cannot read row: the reader could not parse its line (bad"
                    + " syntax, a value of the wrong type, or bytes that are not UTF-8, shown as U+FFFD): " + shown);
        });
    }
}
