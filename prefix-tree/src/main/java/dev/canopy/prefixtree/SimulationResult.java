package dev.canopy.prefixtree;

/**
 * What a simulated run of a plan would take.
 *
 * @param seconds estimated wall time
 * @param steps engine steps
 * @param requests requests run
 * @param promptTokens prompt tokens of all requests
 * @param prefillTokens tokens computed as prefill: prompt tokens the prefix cache did not hold, plus the prompt
 *     and output tokens recomputed after preemptions
 * @param outputTokens tokens produced
 * @param peakKvBytes most KV held by running sequences at once (their tokens so far, in whole blocks)
 * @param peakResidentKvBytes most KV resident at once, cached prefixes included; never above the budget
 * @param computeSeconds summed compute time of all steps
 * @param memorySeconds summed memory time of all steps
 * @param preemptions times a running sequence gave back its blocks to make room (it recomputed them later)
 */
public record SimulationResult(
        double seconds, long steps, int requests, long promptTokens, long prefillTokens, long outputTokens,
        long peakKvBytes, long peakResidentKvBytes, double computeSeconds, double memorySeconds, long preemptions) {

    /** Fraction of prompt tokens not computed thanks to shared prefixes: {@code 1 - prefillTokens / promptTokens}. */
    public double prefixSaving() {
        return promptTokens == 0 ? 0.0 : 1.0 - (double) prefillTokens / promptTokens;
    }

    /** Share of the time the arithmetic units are busy. */
    public double computeUtilization() {
        return seconds == 0 ? 0.0 : computeSeconds / seconds;
    }

    /** Share of the time the memory bus is busy. */
    public double memoryUtilization() {
        return seconds == 0 ? 0.0 : memorySeconds / seconds;
    }

    /** Output tokens per second. */
    public double outputTokensPerSecond() {
        return seconds == 0 ? 0.0 : outputTokens / seconds;
    }

    /** Requests per second. */
    public double requestsPerSecond() {
        return seconds == 0 ? 0.0 : requests / seconds;
    }
}
