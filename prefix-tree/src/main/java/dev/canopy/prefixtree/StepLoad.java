package dev.canopy.prefixtree;

/**
 * The work of one engine step, summed over its sequences.
 *
 * @param tokens tokens pushed through the layers (prefill chunk tokens plus one per decoding sequence)
 * @param attentionPairs (query token, key token) pairs attended, counted once (the cost model multiplies by layers and heads)
 * @param logits positions whose output-projection logits are computed (one per token produced)
 * @param kvTokensRead cached tokens whose keys and values are read
 * @param kvTokensWritten tokens whose keys and values are written
 */
public record StepLoad(long tokens, long attentionPairs, long logits, long kvTokensRead, long kvTokensWritten) {

    public StepLoad {
        if (tokens < 0 || attentionPairs < 0 || logits < 0 || kvTokensRead < 0 || kvTokensWritten < 0) {
            throw new IllegalArgumentException("Cannot create step load: every count must be >= 0, got tokens " + tokens
                    + ", attentionPairs " + attentionPairs + ", logits " + logits + ", kvTokensRead " + kvTokensRead
                    + ", kvTokensWritten " + kvTokensWritten);
        }
    }
}
