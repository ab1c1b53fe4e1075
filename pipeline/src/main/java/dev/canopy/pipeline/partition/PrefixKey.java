package dev.canopy.pipeline.partition;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The first tokens of a prompt, ordered token by token, so that sorting by key puts prompts that share a
 * prefix next to each other. The empty key (rows that failed before tokenization) sorts first.
 */
public final class PrefixKey implements Comparable<PrefixKey>, Serializable {

    private final int[] tokens; // (min(promptTokens, keyTokens),)

    private PrefixKey(int[] tokens) {
        this.tokens = tokens;
    }

    /** The key of a prompt: its first {@code keyTokens} tokens. */
    public static PrefixKey of(int[] promptTokens, int keyTokens) {
        if (keyTokens < 1) {
            throw new IllegalArgumentException("Cannot build a prefix key: keyTokens must be >= 1, got " + keyTokens);
        }
        return new PrefixKey(Arrays.copyOf(promptTokens, Math.min(keyTokens, promptTokens.length)));
    }

    /** A key holding exactly {@code tokens} (as stored in a column). */
    public static PrefixKey ofStored(int[] tokens) {
        return new PrefixKey(tokens.clone());
    }

    /** The key's tokens (a copy). */
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public int compareTo(PrefixKey other) {
        return Arrays.compare(tokens, other.tokens);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrefixKey other && Arrays.equals(tokens, other.tokens);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(tokens);
    }

    @Override
    public String toString() {
        return Arrays.toString(tokens);
    }
}
