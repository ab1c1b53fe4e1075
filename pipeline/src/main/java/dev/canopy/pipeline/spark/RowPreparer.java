package dev.canopy.pipeline.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.apache.spark.sql.Row;

import dev.canopy.executor.chat.ChatMessage;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sample.SamplingParamsParser;

import dev.canopy.pipeline.generate.ErrorKind;
import dev.canopy.pipeline.generate.ModelBackend;
import dev.canopy.pipeline.generate.RowError;
import dev.canopy.pipeline.generate.SamplingFields;
import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.input.PromptSource;

/**
 * Reads a row's prompt and parameters on an executor and checks them (parameters with
 * {@link SamplingParamsParser}, over the job's defaults): null or empty prompt, bad parameters,
 * unrenderable messages, prompts longer than the context all become per-row errors.
 */
final class RowPreparer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final InputColumns columns;
    private final SamplingFields defaultFields;
    private transient SamplingParams defaults; // rebuilt from defaultFields on executors

    RowPreparer(InputColumns columns, SamplingParams defaults) {
        this.columns = Objects.requireNonNull(columns, "columns");
        this.defaultFields = SamplingFields.of(defaults);
        this.defaults = defaults;
    }

    /** The row's prompt, tokens and sampling, or why it cannot generate. */
    PreparedPrompt prepare(Row row, ModelBackend backend) {
        if (defaults == null) {
            defaults = defaultFields.params();
        }
        SamplingParams sampling;
        try {
            sampling = SamplingParamsParser.parse(params(row), defaults);
        } catch (IllegalArgumentException e) {
            return new PreparedPrompt.Rejected(new RowError(ErrorKind.INVALID_PARAMS, e.getMessage()), 0);
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
                prompt = backend.chatRenderer().render(messages(row.getList(index)));
            } catch (IllegalArgumentException e) {
                return new PreparedPrompt.Rejected(new RowError(ErrorKind.INVALID_MESSAGES, e.getMessage()), 0);
            }
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
        return new PreparedPrompt.Ready(prompt, tokens, sampling);
    }

    /** The parameter columns the row sets (nulls left out), in the parser's field names. */
    private Map<String, Object> params(Row row) {
        Map<String, Object> fields = new HashMap<>();
        for (var entry : columns.params().entrySet()) {
            int i = entry.getValue();
            if (!row.isNullAt(i)) {
                Object value = row.get(i);
                fields.put(entry.getKey().column(), value instanceof scala.collection.Seq<?> ? row.getList(i) : value);
            }
        }
        return fields;
    }

    private List<ChatMessage> messages(List<Row> rows) {
        List<ChatMessage> messages = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row m = rows.get(i);
            if (m == null) {
                throw new IllegalArgumentException("Cannot render messages: message " + i + " is null");
            }
            String role = m.getAs("role");
            String content = m.getAs("content");
            if (role == null || content == null) {
                throw new IllegalArgumentException("Cannot render messages: message " + i + " has a null "
                        + (role == null ? "role" : "content"));
            }
            messages.add(new ChatMessage(role, content));
        }
        return messages;
    }
}
