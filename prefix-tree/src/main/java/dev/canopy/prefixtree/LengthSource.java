package dev.canopy.prefixtree;

/** Where an output-length estimate came from, from the most to the least specific. */
public enum LengthSource {
    /** The user's expected-length column for this row. */
    EXPECTED_COLUMN,
    /** The running mean of finished requests in the same prefix group. */
    GROUP_MEAN,
    /** The request's {@code max_tokens}: the upper bound, used when nothing better is known. */
    MAX_TOKENS
}
