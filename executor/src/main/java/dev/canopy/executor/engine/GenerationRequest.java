package dev.canopy.executor.engine;

import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.structured.Constraint;
import java.util.Objects;
import java.util.Optional;

/**
 * One prompt to complete, given as text (the engine tokenizes it, adding BOS as the model's
 * tokenizer asks) or as token ids (used as they are).
 *
 * @param id           the caller's identifier, echoed in the result
 * @param prompt       prompt text, or null when {@code promptTokens} is given
 * @param promptTokens prompt token ids, or null when {@code prompt} is given
 * @param params       how to sample
 * @param constraint   what the output must be (JSON Schema, regex, choice), or null for free text
 */
public record GenerationRequest(String id, String prompt, int[] promptTokens, SamplingParams params,
                                Constraint constraint) {

    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(params, "params");
        if (prompt != null && promptTokens != null) {
            throw new IllegalArgumentException("Cannot build request " + id + ": give a prompt or token ids, not both");
        }
        promptTokens = promptTokens == null ? null : promptTokens.clone();
    }

    public GenerationRequest(String id, String prompt, int[] promptTokens, SamplingParams params) {
        this(id, prompt, promptTokens, params, null);
    }

    /** This request with its output constrained to {@code constraint} (null: free text). */
    public GenerationRequest withConstraint(Constraint constraint) {
        return new GenerationRequest(id, prompt, promptTokens, params, constraint);
    }

    /** A text prompt (null is allowed and gives that request an error result). */
    public GenerationRequest(String id, String prompt, SamplingParams params) {
        this(id, prompt, null, params);
    }

    /** A prompt given as token ids. */
    public static GenerationRequest ofTokens(String id, int[] promptTokens, SamplingParams params) {
        return new GenerationRequest(id, null, Objects.requireNonNull(promptTokens, "promptTokens"), params);
    }

    @Override
    public int[] promptTokens() {
        return promptTokens == null ? null : promptTokens.clone();
    }

    /** The token ids, when the prompt was given that way. */
    public Optional<int[]> tokens() {
        return Optional.ofNullable(promptTokens());
    }
}
