package dev.canopy.executor.sample;

import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The token a sampler chose.
 *
 * @param tokenId     the chosen token
 * @param logprob     its log probability when logprobs were requested, else empty
 * @param topLogprobs the most likely tokens, most likely first (ties: lower id first), as many as requested
 *                    (empty when none were); the chosen token may or may not be among them
 */
public record SampledToken(int tokenId, OptionalDouble logprob, List<TokenLogprob> topLogprobs) {

    public SampledToken {
        Objects.requireNonNull(logprob, "logprob");
        topLogprobs = List.copyOf(topLogprobs);
    }

    /** A token without log probabilities. */
    public static SampledToken of(int tokenId) {
        return new SampledToken(tokenId, OptionalDouble.empty(), List.of());
    }
}
