package dev.canopy.pipeline.generate;

import java.util.Objects;

import dev.canopy.executor.sample.SamplingParams;

/**
 * One row handed to a {@link PartitionGenerator}: a prompt, rendered and tokenized once by the planning step, whose
 * tokens fit the context (checked there; generators trust it).
 *
 * @param rowId    unique within the partition; the result carries it back
 * @param tokens   the prompt's token ids, as the model's tokenizer gives them (non-empty)
 * @param sampling the row's sampling parameters
 * @param constraint what the row's output must be, or null for free text
 */
public record PromptRow(String rowId, int[] tokens, SamplingParams sampling,
                        dev.canopy.executor.structured.Constraint constraint) {

    public PromptRow(String rowId, int[] tokens, SamplingParams sampling) {
        this(rowId, tokens, sampling, null);
    }

    public PromptRow {
        Objects.requireNonNull(rowId, "rowId");
        tokens = tokens.clone();
        Objects.requireNonNull(sampling, "sampling");
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
