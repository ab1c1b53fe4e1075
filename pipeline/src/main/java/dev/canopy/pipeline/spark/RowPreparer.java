package dev.canopy.pipeline.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.apache.spark.sql.Row;

import dev.canopy.pipeline.generate.ChatMessage;
import dev.canopy.pipeline.generate.ErrorKind;
import dev.canopy.pipeline.generate.ModelBackend;
import dev.canopy.pipeline.generate.RowError;
import dev.canopy.pipeline.generate.RowParams;
import dev.canopy.pipeline.generate.SamplingSettings;
import dev.canopy.pipeline.input.InputColumns;
import dev.canopy.pipeline.input.PromptSource;
import dev.canopy.pipeline.input.RowParam;

/**
 * Reads a row's prompt and parameters on an executor and checks them: null or empty prompt, bad parameters,
 * unrenderable messages, prompts longer than the context all become per-row errors.
 */
final class RowPreparer implements Serializable {

    private static final long serialVersionUID = 1L;

    private final InputColumns columns;
    private final SamplingSettings defaults;

    RowPreparer(InputColumns columns, SamplingSettings defaults) {
        this.columns = Objects.requireNonNull(columns, "columns");
        this.defaults = Objects.requireNonNull(defaults, "defaults");
    }

    /** The row's prompt, tokens and sampling, or why it cannot generate. */
    PreparedPrompt prepare(Row row, ModelBackend backend) {
        SamplingSettings sampling;
        try {
            sampling = params(row).resolve(defaults);
        } catch (IllegalArgumentException | ClassCastException e) {
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

    /** The row's id value (null when the id is null). */
    Object id(Row row, int idIndex) {
        return row.get(idIndex);
    }

    private RowParams params(Row row) {
        return new RowParams(
                longParam(row, RowParam.MAX_TOKENS),
                doubleParam(row, RowParam.TEMPERATURE),
                doubleParam(row, RowParam.TOP_P),
                longParam(row, RowParam.SEED),
                stopParam(row),
                longParam(row, RowParam.N));
    }

    private Long longParam(Row row, RowParam param) {
        return columns.paramIndex(param)
                .filter(i -> !row.isNullAt(i))
                .map(i -> ((Number) row.get(i)).longValue())
                .orElse(null);
    }

    private Double doubleParam(Row row, RowParam param) {
        return columns.paramIndex(param)
                .filter(i -> !row.isNullAt(i))
                .map(i -> ((Number) row.get(i)).doubleValue())
                .orElse(null);
    }

    private List<String> stopParam(Row row) {
        return columns.paramIndex(RowParam.STOP)
                .filter(i -> !row.isNullAt(i))
                .map(i -> row.get(i) instanceof String s ? List.of(s) : row.<String>getList(i))
                .orElse(null);
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
