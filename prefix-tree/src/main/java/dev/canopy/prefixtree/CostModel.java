package dev.canopy.prefixtree;

import java.util.Objects;

/**
 * FLOPs, bytes and time of requests and engine steps for one model on one machine, by a roofline
 * model: a step takes {@code max(FLOPs / FLOP/s, bytes / bandwidth)} plus a fixed overhead.
 *
 * <p>Counted: 2 FLOPs per weight per token through the blocks; 4 FLOPs per (query, key) pair per head
 * and layer in attention (scores and weighted values); 2 FLOPs per weight of the output projection per
 * token whose logits are needed (the last prompt token and each decoded token). Each step reads all
 * stepped weights once, plus the KV cache its sequences attend to, and writes the new tokens' KV.
 * Activations, norms and softmax are ignored.
 */
public final class CostModel {

    private final ModelShape model;
    private final HardwareProfile hardware;
    private final double linearFlopsPerToken;
    private final double attentionFlopsPerPair;
    private final double logitsFlops;
    private final double weightBytes;
    private final double kvBytesPerToken;

    /** A cost model for {@code model} on {@code hardware}. */
    public CostModel(ModelShape model, HardwareProfile hardware) {
        this.model = Objects.requireNonNull(model, "model");
        this.hardware = Objects.requireNonNull(hardware, "hardware");
        this.linearFlopsPerToken = 2.0 * model.layers() * model.layerParameters();
        this.attentionFlopsPerPair = 4.0 * model.layers() * model.heads() * model.headDim();
        this.logitsFlops = 2.0 * model.vocab() * model.hidden();
        this.weightBytes = model.steppedParameters() * model.bytesPerWeight();
        this.kvBytesPerToken = model.kvBytesPerToken();
    }

    public ModelShape model() {
        return model;
    }

    public HardwareProfile hardware() {
        return hardware;
    }

    /** FLOPs of the block matmuls for one token. */
    public double linearFlopsPerToken() {
        return linearFlopsPerToken;
    }

    /** FLOPs of attention for one (query, key) pair across all layers and heads. */
    public double attentionFlopsPerPair() {
        return attentionFlopsPerPair;
    }

    /** FLOPs of the output projection for one position. */
    public double logitsFlops() {
        return logitsFlops;
    }

    /** Bytes of weights every step reads. */
    public double weightBytes() {
        return weightBytes;
    }

    /** KV cache bytes per token. */
    public double kvBytesPerToken() {
        return kvBytesPerToken;
    }

    /**
     * FLOPs to prefill {@code newTokens} prompt tokens after {@code cachedTokens} already in the KV
     * cache, including the logits of the last position (the first output token).
     */
    public double prefillFlops(int newTokens, int cachedTokens) {
        requireNonNegative("prefill", "newTokens", newTokens);
        requireNonNegative("prefill", "cachedTokens", cachedTokens);
        if (newTokens == 0) {
            return 0.0;
        }
        return newTokens * linearFlopsPerToken + attentionPairs(cachedTokens, cachedTokens + newTokens) * attentionFlopsPerPair + logitsFlops;
    }

    /**
     * The life cost of a request with {@code promptTokens} prompt tokens, of which the first
     * {@code cachedTokens} are reused from the cache, producing {@code outputTokens} tokens: the first
     * comes from prefill, each later one from a decode step that attends to everything before it.
     */
    public RequestCost requestCost(int promptTokens, int cachedTokens, int outputTokens) {
        if (promptTokens < 1 || outputTokens < 1 || cachedTokens < 0 || cachedTokens >= promptTokens) {
            throw new IllegalArgumentException("Cannot cost request: promptTokens " + promptTokens + " and outputTokens " + outputTokens
                    + " must be >= 1, cachedTokens " + cachedTokens + " must be in 0.." + (promptTokens - 1));
        }
        long steps = outputTokens - 1L;
        // decode step t (1..steps) feeds token t-1 of the output: it reads promptTokens + t - 1 cached tokens
        double readTokens = steps * (promptTokens - 1.0) + steps * (steps + 1) / 2.0;
        double pairs = readTokens + steps; // each step also attends to its own token
        double decodeFlops = steps * (linearFlopsPerToken + logitsFlops) + pairs * attentionFlopsPerPair;
        double decodeKvBytes = readTokens * model.globalKvBytesPerToken()
                + windowedReadTokens(promptTokens, steps) * model.localKvBytesPerToken();
        return new RequestCost(
                prefillFlops(promptTokens - cachedTokens, cachedTokens),
                decodeFlops,
                decodeKvBytes,
                steps == 0 ? 0.0 : decodeKvBytes / steps,
                model.sequenceKvBytes((long) promptTokens + outputTokens));
    }

    /**
     * Cached tokens the sliding-window layers read over {@code steps} decode steps after a prompt of {@code promptTokens}:
     * step t reads {@code min(promptTokens + t - 1, window)}. 0 without a window.
     */
    private double windowedReadTokens(int promptTokens, long steps) {
        if (model.localLayers() == 0) {
            return 0.0;
        }
        long window = model.window();
        long below = Math.max(0, Math.min(steps, window - promptTokens)); // steps that read fewer than window tokens
        return below * (double) promptTokens + below * (below + 1) / 2.0 - below + (steps - below) * (double) window;
    }

    /** FLOPs of one engine step. */
    public double stepFlops(StepLoad load) {
        return load.tokens() * linearFlopsPerToken + load.attentionPairs() * attentionFlopsPerPair + load.logits() * logitsFlops;
    }

    /** Bytes one engine step moves: the weights once (when it runs any token) plus KV read and written. */
    public double stepBytes(StepLoad load) {
        double weights = load.tokens() > 0 ? weightBytes : 0.0;
        return weights + (load.kvTokensRead() + load.kvTokensWritten()) * kvBytesPerToken;
    }

    /** The step's compute time, memory time and overhead; its time is {@link StepCost#seconds()}. */
    public StepCost stepCost(StepLoad load) {
        return new StepCost(
                stepFlops(load) / hardware.flopsPerSecond(),
                stepBytes(load) / hardware.memoryBytesPerSecond(),
                hardware.stepOverheadSeconds());
    }

    /** Seconds the machine needs for {@code flops} FLOPs. */
    public double computeSeconds(double flops) {
        return flops / hardware.flopsPerSecond();
    }

    /** Seconds the machine needs to move {@code bytes} bytes. */
    public double memorySeconds(double bytes) {
        return bytes / hardware.memoryBytesPerSecond();
    }

    /** KV cache tokens the hardware's budget holds in every layer (a windowed model's sequences hold fewer). */
    public long kvBudgetTokens() {
        return (long) Math.floor(hardware.kvBudgetBytes() / kvBytesPerToken);
    }

    /** (query, key) pairs when positions {@code from..to-1} each attend to themselves and all before them. */
    static long attentionPairs(long from, long to) {
        return (to * (to + 1) - from * (from + 1)) / 2;
    }

    private static void requireNonNegative(String action, String field, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("Cannot cost " + action + ": " + field + " is " + value + "; it must be >= 0");
        }
    }
}
