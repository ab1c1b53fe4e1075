package dev.canopy.pipeline.generate;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What generation produced for one {@link PromptRow}: either choices or an error.
 */
public sealed interface RowResult {

    /** The {@link PromptRow#rowId()} this result answers. */
    String rowId();

    /** Prompt tokens, 0 when the row failed before tokenization. */
    int promptTokens();

    /** Prompt tokens served from a cached shared prefix instead of being recomputed. */
    int cachedPromptTokens();

    /** Generated tokens over all choices. */
    int completionTokens();

    /** Time from submission to the last token of this row. */
    long latencyNanos();

    /** What went wrong with the row, if anything: always for {@link Failed}, sometimes beside generated text. */
    Optional<RowError> failure();

    /**
     * A row that generated.
     *
     * @param choices          at least one choice, in order
     * @param completionTokens generated tokens over all choices, as the engine counts them (end tokens included)
     * @param failure          an error beside the text, e.g. a structured value still incomplete when
     *                         max_tokens ran out: the text is kept, so the row loses nothing
     */
    record Generated(String rowId, List<GeneratedChoice> choices, int promptTokens, int cachedPromptTokens,
                     int completionTokens, long latencyNanos, Optional<RowError> failure) implements RowResult {

        /** A row that generated without error. */
        public Generated(String rowId, List<GeneratedChoice> choices, int promptTokens, int cachedPromptTokens,
                         int completionTokens, long latencyNanos) {
            this(rowId, choices, promptTokens, cachedPromptTokens, completionTokens, latencyNanos, Optional.empty());
        }

        public Generated {
            Objects.requireNonNull(rowId, "rowId");
            Objects.requireNonNull(failure, "failure");
            choices = List.copyOf(choices);
            if (choices.isEmpty()) {
                throw new IllegalArgumentException("Cannot create a result for row " + rowId + ": no choices");
            }
            if (cachedPromptTokens < 0 || cachedPromptTokens > promptTokens) {
                throw new IllegalArgumentException("Cannot create a result for row " + rowId
                        + ": cached prompt tokens " + cachedPromptTokens + " not in [0, " + promptTokens + "]");
            }
        }
    }

    /** A row that failed; it is still written, with its error. */
    record Failed(String rowId, RowError error, int promptTokens, long latencyNanos) implements RowResult {

        public Failed {
            Objects.requireNonNull(rowId, "rowId");
            Objects.requireNonNull(error, "error");
        }

        @Override
        public int cachedPromptTokens() {
            return 0;
        }

        @Override
        public int completionTokens() {
            return 0;
        }

        @Override
        public Optional<RowError> failure() {
            return Optional.of(error);
        }
    }
}
