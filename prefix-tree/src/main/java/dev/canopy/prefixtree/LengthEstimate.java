package dev.canopy.prefixtree;

import java.util.Objects;

/**
 * An estimated output length.
 *
 * @param tokens estimated output tokens, at least 1
 * @param source where the estimate came from
 */
public record LengthEstimate(int tokens, LengthSource source) {

    public LengthEstimate {
        Objects.requireNonNull(source, "source");
        if (tokens < 1) {
            throw new IllegalArgumentException("Cannot create length estimate: tokens is " + tokens + "; it must be >= 1");
        }
    }
}
