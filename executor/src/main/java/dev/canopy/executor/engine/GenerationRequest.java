package dev.canopy.executor.engine;

import dev.canopy.executor.sample.SamplingParams;
import java.util.Objects;

/**
 * One prompt to complete.
 *
 * @param id     the caller's identifier, echoed in the result
 * @param prompt prompt text (tokenized by the engine, BOS added as the model's tokenizer asks)
 * @param params how to sample
 */
public record GenerationRequest(String id, String prompt, SamplingParams params) {

    public GenerationRequest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(params, "params");
    }
}
