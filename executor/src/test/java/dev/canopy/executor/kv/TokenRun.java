package dev.canopy.executor.kv;

import java.util.Arrays;

/** A minimal sequence for block manager tests: tokens, a computed count the test sets, a block table. */
final class TokenRun implements KvSequence {

    private int[] tokens;
    private int computed;
    private final BlockTable table = new BlockTable();

    TokenRun(int... tokens) {
        this.tokens = tokens.clone();
    }

    /** Tokens 0, 1, ..., n-1 offset by {@code first}. */
    static TokenRun counting(int first, int n) {
        int[] t = new int[n];
        Arrays.setAll(t, i -> first + i);
        return new TokenRun(t);
    }

    void append(int token) {
        tokens = Arrays.copyOf(tokens, tokens.length + 1);
        tokens[tokens.length - 1] = token;
    }

    TokenRun computed(int n) {
        computed = n;
        return this;
    }

    /** Marks every token computed, as after a full prefill. */
    TokenRun allComputed() {
        return computed(tokens.length);
    }

    @Override
    public int numTokens() {
        return tokens.length;
    }

    @Override
    public int tokenAt(int position) {
        return tokens[position];
    }

    @Override
    public int numComputedTokens() {
        return computed;
    }

    @Override
    public BlockTable blockTable() {
        return table;
    }
}
