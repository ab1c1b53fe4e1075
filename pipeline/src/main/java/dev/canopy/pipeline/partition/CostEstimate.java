package dev.canopy.pipeline.partition;

/**
 * Estimated work of one row, used to balance partitions: a generated token costs far more than a prompt
 * token, because prompt tokens run batched in one forward pass and generated tokens run one step each.
 */
public final class CostEstimate {

    /** Cost of one prompt token. */
    public static final long PROMPT_TOKEN = 1;
    /** Cost of one generated token (a decode step). */
    public static final long GENERATED_TOKEN = 8;

    private CostEstimate() {}

    /** The estimated cost of a row with {@code promptTokens} asking for {@code choices} x {@code maxTokens}. */
    public static long of(int promptTokens, int maxTokens, int choices) {
        return Math.max(1, PROMPT_TOKEN * promptTokens + GENERATED_TOKEN * (long) maxTokens * choices);
    }
}
