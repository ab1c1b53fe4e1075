package dev.canopy.pipeline.generate;

import java.util.Objects;

import dev.canopy.executor.sample.SamplingParams;

/**
 * One row handed to a {@link PartitionGenerator}: a non-empty prompt whose tokens fit the context.
 *
 * @param rowId    unique within the partition; the result carries it back
 * @param prompt   the text to continue (already rendered from chat messages where the input had them)
 * @param tokens   the prompt's token ids, as the model's tokenizer gives them
 * @param sampling the row's sampling parameters
 * @param constraint what the row's output must be, or null for free text
 */
public record PromptRow(String rowId, String prompt, int[] tokens, SamplingParams sampling,
                        dev.canopy.executor.structured.Constraint constraint) {

    public PromptRow(String rowId, String prompt, int[] tokens, SamplingParams sampling) {
        this(rowId, prompt, tokens, sampling, null);
    }

    public PromptRow {
        Objects.requireNonNull(rowId, "rowId");
        Objects.requireNonNull(prompt, "prompt");
        tokens = tokens.clone();
        Objects.requireNonNull(sampling, "sampling");
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }
}
