package dev.canopy.executor.sample;

/** A token and its log probability (natural log). */
public record TokenLogprob(int tokenId, double logprob) {
}
