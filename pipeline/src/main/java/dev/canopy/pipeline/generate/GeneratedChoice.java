package dev.canopy.pipeline.generate;

import java.util.Objects;

/**
 * One generated completion of a row.
 *
 * @param text         the decoded text
 * @param finishReason {@code "stop"} or {@code "length"}
 * @param tokens       how many tokens were generated
 */
public record GeneratedChoice(String text, String finishReason, int tokens) {

    public GeneratedChoice {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        if (tokens < 0) {
            throw new IllegalArgumentException("Cannot create a choice: tokens must be >= 0, got " + tokens);
        }
    }
}
