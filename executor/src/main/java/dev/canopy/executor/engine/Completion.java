package dev.canopy.executor.engine;

import dev.canopy.executor.sample.SampledToken;
import dev.canopy.executor.sched.FinishReason;
import java.util.List;

/**
 * One sampled completion of a request.
 *
 * @param index        sample index, 0..n-1
 * @param text         the completion only (not the prompt), cut before a matched stop string
 * @param tokenIds     generated token ids (an end-of-generation or stop token is not included)
 * @param finishReason why it ended
 * @param logprobs     per generated token, its log probability and the top alternatives; empty unless asked
 */
public record Completion(int index, String text, int[] tokenIds, FinishReason finishReason, List<SampledToken> logprobs) {

    public Completion {
        tokenIds = tokenIds.clone();
        logprobs = List.copyOf(logprobs);
    }

    @Override
    public int[] tokenIds() {
        return tokenIds.clone();
    }
}
