package dev.canopy.executor.structured;

/**
 * One row's position in a {@link TokenGrammar}: which tokens may come next, and the state after each
 * accepted token. Not thread-safe (one per row); cheap to create.
 */
public final class TokenMatcher {

    private final TokenGrammar grammar;
    private int state;
    private boolean ended;

    TokenMatcher(TokenGrammar grammar, int state) {
        this.grammar = grammar;
        this.state = state;
    }

    /**
     * The tokens allowed next as a bitmask (bit t of word t/64), end-of-generation tokens included
     * only once the value is complete. Shared between matchers: read it, do not modify it.
     */
    public long[] allowedTokens() {
        return grammar.mask(state);
    }

    /** Whether {@code token} may come next. */
    public boolean allows(int token) {
        long[] mask = allowedTokens();
        return token >= 0 && token < grammar.vocabSize() && (mask[token >>> 6] & (1L << token)) != 0;
    }

    /**
     * Moves past {@code token} if the grammar allows it.
     *
     * @return false (and no change) when the token is refused
     */
    public boolean accept(int token) {
        int next = grammar.advance(state, token);
        if (next < 0) {
            return false;
        }
        if (grammar.isEnd(token)) {
            ended = true;
        }
        state = next;
        return true;
    }

    /** Whether the text so far is a complete value (the end of generation is allowed). */
    public boolean isComplete() {
        return grammar.grammar().dfa().isAccepting(state);
    }

    /** Whether the value is complete and nothing else can follow, so generation should stop. */
    public boolean mustEnd() {
        return isComplete() && !grammar.grammar().dfa().canContinue(state);
    }

    /** Whether an end-of-generation token was accepted. */
    public boolean ended() {
        return ended;
    }
}
