package dev.canopy.executor.engine;

/**
 * Counters of an engine since it opened (or of one generate call: see {@link Engine#lastRunMetrics()}).
 *
 * @param requests          requests completed (including failed ones)
 * @param steps             forward steps run
 * @param promptTokens      prompt tokens of the requests (each sample's prompt counted once per request)
 * @param prefillTokens     prompt tokens whose KV was actually computed (recomputation after preemption included)
 * @param cachedTokens      prompt tokens served from the prefix cache
 * @param generatedTokens   tokens sampled
 * @param preemptions       sequences preempted for lack of KV blocks
 * @param peakBlocksInUse   most KV blocks in use at once
 * @param totalBlocks       KV blocks in the pool
 * @param elapsedNanos      wall time spent generating
 */
public record EngineMetrics(long requests, long steps, long promptTokens, long prefillTokens, long cachedTokens,
                            long generatedTokens, long preemptions, int peakBlocksInUse, int totalBlocks,
                            long elapsedNanos) {

    /** Share of prompt tokens not computed thanks to prefix sharing: 1 − prefill / prompt tokens. */
    public double prefixSaving() {
        return promptTokens == 0 ? 0 : 1.0 - (double) Math.min(prefillTokens, promptTokens) / promptTokens;
    }

    /** Generated tokens per second of wall time. */
    public double generatedTokensPerSecond() {
        return elapsedNanos == 0 ? 0 : generatedTokens / (elapsedNanos / 1e9);
    }

    /** Prompt plus generated tokens per second of wall time. */
    public double totalTokensPerSecond() {
        return elapsedNanos == 0 ? 0 : (promptTokens + generatedTokens) / (elapsedNanos / 1e9);
    }

    /** The sum of two metrics (peaks take the max). */
    public EngineMetrics plus(EngineMetrics o) {
        return new EngineMetrics(requests + o.requests, steps + o.steps, promptTokens + o.promptTokens,
                prefillTokens + o.prefillTokens, cachedTokens + o.cachedTokens, generatedTokens + o.generatedTokens,
                preemptions + o.preemptions, Math.max(peakBlocksInUse, o.peakBlocksInUse),
                Math.max(totalBlocks, o.totalBlocks), elapsedNanos + o.elapsedNanos);
    }

    public static EngineMetrics zero(int totalBlocks) {
        return new EngineMetrics(0, 0, 0, 0, 0, 0, 0, 0, totalBlocks, 0);
    }
}
