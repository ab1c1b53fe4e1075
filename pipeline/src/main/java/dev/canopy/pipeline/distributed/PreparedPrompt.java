package dev.canopy.pipeline.distributed;

import dev.canopy.pipeline.generate.RowError;
import dev.canopy.executor.sample.SamplingParams;

/** A row read and checked on an executor: ready to generate, or rejected with a per-row error. */
sealed interface PreparedPrompt {

    /** A prompt that fits the context, with its tokens and resolved sampling. */
    record Ready(String prompt, int[] tokens, SamplingParams sampling,
                 dev.canopy.executor.structured.Constraint constraint) implements PreparedPrompt {

        Ready(String prompt, int[] tokens, SamplingParams sampling) {
            this(prompt, tokens, sampling, null);
        }
    }

    /** A row that will not generate; {@code promptTokens} is 0 when it was not tokenized. */
    record Rejected(RowError error, int promptTokens) implements PreparedPrompt {}
}
