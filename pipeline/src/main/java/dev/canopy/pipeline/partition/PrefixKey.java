package dev.canopy.pipeline.partition;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Where a row sorts for range partitioning: its first prompt tokens, compared token by token so that prompts
 * sharing a prefix sort next to each other, then a tie-break (a hash of the row's id) that orders the rows of
 * one prefix and lets a group too big for one partition be split between rows. The empty prefix (rows that
 * failed before tokenization) sorts first.
 */
public final class PrefixKey implements Comparable<PrefixKey>, Serializable {

    private static final long serialVersionUID = 1L;

    private final int[] tokens; // (min(promptTokens, keyTokens),)
    private final long tieBreak;

    private PrefixKey(int[] tokens, long tieBreak) {
        this.tokens = tokens;
        this.tieBreak = tieBreak;
    }

    /** The key of a prompt: its first {@code keyTokens} tokens and the row's tie-break. */
    public static PrefixKey of(int[] promptTokens, int keyTokens, long tieBreak) {
        if (keyTokens < 1) {
            throw new IllegalArgumentException("Cannot build a prefix key: keyTokens must be >= 1, got " + keyTokens);
        }
        return new PrefixKey(Arrays.copyOf(promptTokens, Math.min(keyTokens, promptTokens.length)), tieBreak);
    }

    /** A key holding exactly {@code tokens} (as stored in a column) and {@code tieBreak}. */
    public static PrefixKey ofStored(int[] tokens, long tieBreak) {
        return new PrefixKey(tokens.clone(), tieBreak);
    }

    /** The key's tokens (a copy). */
    public int[] tokens() {
        return tokens.clone();
    }

    /** Whether {@code other} has the same prefix tokens (whatever its tie-break). */
    public boolean samePrefix(PrefixKey other) {
        return Arrays.equals(tokens, other.tokens);
    }

    @Override
    public int compareTo(PrefixKey other) {
        int byTokens = Arrays.compare(tokens, other.tokens);
        return byTokens != 0 ? byTokens : Long.compare(tieBreak, other.tieBreak);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrefixKey other && tieBreak == other.tieBreak && Arrays.equals(tokens, other.tokens);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(tokens) + Long.hashCode(tieBreak);
    }

    @Override
    public String toString() {
        return Arrays.toString(tokens) + "#" + tieBreak;
    }
}
