package dev.canopy.pipeline.distributed;

import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.structured.Constraint;
import dev.canopy.pipeline.generate.RowError;

/** A row read and checked on an executor: ready to generate, or rejected with a per-row error. */
sealed interface PreparedPrompt {

    /** A prompt that fits the context: its tokens, resolved sampling and output constraint (null: free text). */
    record Ready(int[] tokens, SamplingParams sampling, Constraint constraint) implements PreparedPrompt {}

    /** A row that will not generate; {@code promptTokens} is 0 when it was not tokenized. */
    record Rejected(RowError error, int promptTokens) implements PreparedPrompt {}
}
