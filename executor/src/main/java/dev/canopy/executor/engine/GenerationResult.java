package dev.canopy.executor.engine;

import dev.canopy.executor.sched.FinishReason;
import java.util.List;
import java.util.Optional;

/**
 * The outcome of one request: its completions, or an error that kept it from running.
 *
 * @param id                 the request's id
 * @param completions        one per sample (n of them), in sample order; empty when the request failed as a whole
 * @param promptTokens       tokens in the prompt (BOS included)
 * @param cachedPromptTokens prompt tokens whose KV came from the prefix cache instead of being computed
 * @param completionTokens   tokens generated over all samples (end-of-generation tokens included)
 * @param error              why the request (or one of its samples) failed
 * @param latencyNanos       from the start of the generate call to this result
 */
public record GenerationResult(String id, List<Completion> completions, int promptTokens, int cachedPromptTokens,
                               int completionTokens, Optional<String> error, long latencyNanos) {

    public GenerationResult {
        completions = List.copyOf(completions);
    }

    /** A result for a request that could not run at all. */
    public static GenerationResult failed(String id, int promptTokens, String message, long latencyNanos) {
        return new GenerationResult(id, List.of(), promptTokens, 0, 0, Optional.of(message), latencyNanos);
    }

    /** The first completion's text, or empty when there is none. */
    public String text() {
        return completions.isEmpty() ? "" : completions.get(0).text();
    }

    /** The first completion's finish reason; ERROR when the request failed as a whole. */
    public FinishReason finishReason() {
        return completions.isEmpty() ? FinishReason.ERROR : completions.get(0).finishReason();
    }
}
