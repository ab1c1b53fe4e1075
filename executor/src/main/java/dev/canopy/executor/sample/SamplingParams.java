package dev.canopy.executor.sample;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How to draw the tokens of one request. Knobs that are "off" have neutral values: topK 0, topP 1, minP 0,
 * penalties 0 (presence, frequency) and 1 (repetition).
 *
 * @param temperature       softmax temperature; 0 means greedy (argmax, lowest id on ties)
 * @param topK              keep only the k most likely tokens; 0 = off
 * @param topP              keep the smallest set of most likely tokens whose probability reaches topP, in (0, 1]; 1 = off
 * @param minP              drop tokens less likely than minP times the most likely one, in [0, 1]; 0 = off
 * @param seed              random seed; draw t of sample i depends only on (seed, i, t). Default {@link #DEFAULT_SEED}
 * @param maxTokens         most tokens to generate, at least 1 (the engine finishes with LENGTH there)
 * @param stop              strings that end generation (checked by the engine); none empty
 * @param stopTokenIds      token ids that end generation besides end-of-sequence; none negative
 * @param ignoreEos         keep generating after the end-of-sequence token
 * @param presencePenalty   subtracted from the logit of every token already generated, in [-2, 2]
 * @param frequencyPenalty  subtracted once per earlier occurrence in the generated tokens, in [-2, 2]
 * @param repetitionPenalty divides positive / multiplies negative logits of tokens in prompt or output, in (0, 10]; 1 = off
 * @param n                 samples drawn per prompt, in [1, {@link #MAX_N}]
 * @param logprobs          empty: no log probabilities; k: the chosen token's log probability and the k most likely
 *                          alternatives, k in [0, {@link #MAX_LOGPROBS}]
 */
public record SamplingParams(double temperature, int topK, double topP, double minP, long seed, int maxTokens,
                             List<String> stop, int[] stopTokenIds, boolean ignoreEos, double presencePenalty,
                             double frequencyPenalty, double repetitionPenalty, int n, OptionalInt logprobs) {

    /** Seed used when none is given: runs are reproducible by default. */
    public static final long DEFAULT_SEED = 0L;
    /** Most new tokens when none is given, on every entry point ({@link #DEFAULTS}). */
    public static final int DEFAULT_MAX_TOKENS = 64;
    /** Temperature when none is given, on every entry point ({@link #DEFAULTS}): greedy. */
    public static final double DEFAULT_TEMPERATURE = 0;
    /** Where {@link #builder()} starts maxTokens: OpenAI's completion default, for requests built field by field. */
    private static final int BUILDER_MAX_TOKENS = 256;
    public static final int MAX_N = 128;
    public static final int MAX_LOGPROBS = 20;
    public static final double MAX_REPETITION_PENALTY = 10.0;

    /**
     * The sampling every Canopy entry point uses for what a caller leaves unset (the batch job's config file and
     * flags, {@code canopy generate}, {@code GenerateOptions}, the Spark ML stage, SQL): greedy, at most
     * {@value #DEFAULT_MAX_TOKENS} tokens, seed {@value #DEFAULT_SEED}, one choice, every filter and penalty off.
     * The one place these defaults are written; the other layers refer to it.
     */
    public static final SamplingParams DEFAULTS = builder().temperature(DEFAULT_TEMPERATURE)
            .maxTokens(DEFAULT_MAX_TOKENS).build();

    public SamplingParams {
        requireInRange("temperature", temperature, 0, Double.MAX_VALUE, "[0, inf) (0 = greedy)");
        if (topK < 0) {
            throw invalid("topK", topK, "[0, 2^31) (0 = off)");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw invalid("topP", topP, "(0, 1] (1 = off)");
        }
        requireInRange("minP", minP, 0, 1, "[0, 1] (0 = off)");
        if (maxTokens < 1) {
            throw invalid("maxTokens", maxTokens, "[1, 2^31)");
        }
        stop = List.copyOf(Objects.requireNonNull(stop, "stop"));
        if (stop.contains("")) {
            throw new IllegalArgumentException("Cannot use sampling parameters: stop strings must not be empty, got an "
                    + "empty string at index " + stop.indexOf(""));
        }
        stopTokenIds = Objects.requireNonNull(stopTokenIds, "stopTokenIds").clone();
        for (int id : stopTokenIds) {
            if (id < 0) {
                throw invalid("stopTokenIds", Arrays.toString(stopTokenIds), "token ids >= 0");
            }
        }
        requireInRange("presencePenalty", presencePenalty, -2, 2, "[-2, 2] (0 = off)");
        requireInRange("frequencyPenalty", frequencyPenalty, -2, 2, "[-2, 2] (0 = off)");
        if (!(repetitionPenalty > 0 && repetitionPenalty <= MAX_REPETITION_PENALTY)) {
            throw invalid("repetitionPenalty", repetitionPenalty, "(0, " + MAX_REPETITION_PENALTY + "] (1 = off)");
        }
        if (n < 1 || n > MAX_N) {
            throw invalid("n", n, "[1, " + MAX_N + "]");
        }
        Objects.requireNonNull(logprobs, "logprobs");
        if (logprobs.isPresent() && (logprobs.getAsInt() < 0 || logprobs.getAsInt() > MAX_LOGPROBS)) {
            throw invalid("logprobs", logprobs.getAsInt(), "[0, " + MAX_LOGPROBS + "] or empty");
        }
    }

    /** Greedy decoding of at most {@code maxTokens} tokens, everything else default. */
    public static SamplingParams greedy(int maxTokens) {
        return builder().temperature(0).maxTokens(maxTokens).build();
    }

    /**
     * A builder starting at OpenAI's request values: temperature 1, 256 tokens, every filter and penalty off, n 1,
     * no logprobs. For Canopy's defaults start from {@code DEFAULTS.toBuilder()}.
     */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these values. */
    public Builder toBuilder() {
        return new Builder().temperature(temperature).topK(topK).topP(topP).minP(minP).seed(seed)
                .maxTokens(maxTokens).stop(stop).stopTokenIds(stopTokenIds).ignoreEos(ignoreEos)
                .presencePenalty(presencePenalty).frequencyPenalty(frequencyPenalty)
                .repetitionPenalty(repetitionPenalty).n(n).logprobs(logprobs);
    }

    /** Whether the next token is the argmax. */
    public boolean isGreedy() {
        return temperature == 0;
    }

    /** Whether any of the three penalties is on. */
    public boolean hasPenalties() {
        return presencePenalty != 0 || frequencyPenalty != 0 || repetitionPenalty != 1;
    }

    /** A copy of the stop token ids. */
    @Override
    public int[] stopTokenIds() {
        return stopTokenIds.clone();
    }

    /** Whether {@code tokenId} is one of {@link #stopTokenIds()}. */
    public boolean isStopTokenId(int tokenId) {
        for (int id : stopTokenIds) {
            if (id == tokenId) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SamplingParams p && Double.compare(temperature, p.temperature) == 0 && topK == p.topK
                && Double.compare(topP, p.topP) == 0 && Double.compare(minP, p.minP) == 0 && seed == p.seed
                && maxTokens == p.maxTokens && stop.equals(p.stop) && Arrays.equals(stopTokenIds, p.stopTokenIds)
                && ignoreEos == p.ignoreEos && Double.compare(presencePenalty, p.presencePenalty) == 0
                && Double.compare(frequencyPenalty, p.frequencyPenalty) == 0
                && Double.compare(repetitionPenalty, p.repetitionPenalty) == 0 && n == p.n
                && logprobs.equals(p.logprobs);
    }

    @Override
    public int hashCode() {
        return Objects.hash(temperature, topK, topP, minP, seed, maxTokens, stop, Arrays.hashCode(stopTokenIds),
                ignoreEos, presencePenalty, frequencyPenalty, repetitionPenalty, n, logprobs);
    }

    @Override
    public String toString() {
        return "SamplingParams[temperature=" + temperature + ", topK=" + topK + ", topP=" + topP + ", minP=" + minP
                + ", seed=" + seed + ", maxTokens=" + maxTokens + ", stop=" + stop + ", stopTokenIds="
                + Arrays.toString(stopTokenIds) + ", ignoreEos=" + ignoreEos + ", presencePenalty=" + presencePenalty
                + ", frequencyPenalty=" + frequencyPenalty + ", repetitionPenalty=" + repetitionPenalty + ", n=" + n
                + ", logprobs=" + logprobs + "]";
    }

    private static void requireInRange(String field, double value, double min, double max, String allowed) {
        if (!(value >= min && value <= max)) { // also rejects NaN
            throw invalid(field, value, allowed);
        }
    }

    private static IllegalArgumentException invalid(String field, Object value, String allowed) {
        return new IllegalArgumentException("Cannot use sampling parameters: " + field + " must be in " + allowed
                + ", got " + value);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private double temperature = 1.0;
        private int topK;
        private double topP = 1.0;
        private double minP;
        private long seed = DEFAULT_SEED;
        private int maxTokens = BUILDER_MAX_TOKENS;
        private List<String> stop = List.of();
        private int[] stopTokenIds = new int[0];
        private boolean ignoreEos;
        private double presencePenalty;
        private double frequencyPenalty;
        private double repetitionPenalty = 1.0;
        private int n = 1;
        private OptionalInt logprobs = OptionalInt.empty();

        private Builder() {
        }

        public Builder temperature(double v) { temperature = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder topP(double v) { topP = v; return this; }
        public Builder minP(double v) { minP = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder maxTokens(int v) { maxTokens = v; return this; }
        public Builder stop(List<String> v) { stop = v; return this; }
        public Builder stopTokenIds(int... v) { stopTokenIds = v; return this; }
        public Builder ignoreEos(boolean v) { ignoreEos = v; return this; }
        public Builder presencePenalty(double v) { presencePenalty = v; return this; }
        public Builder frequencyPenalty(double v) { frequencyPenalty = v; return this; }
        public Builder repetitionPenalty(double v) { repetitionPenalty = v; return this; }
        public Builder n(int v) { n = v; return this; }
        public Builder logprobs(OptionalInt v) { logprobs = v; return this; }
        /** Return the chosen token's log probability and the {@code k} most likely alternatives. */
        public Builder logprobs(int k) { logprobs = OptionalInt.of(k); return this; }

        public SamplingParams build() {
            return new SamplingParams(temperature, topK, topP, minP, seed, maxTokens, stop, stopTokenIds, ignoreEos,
                    presencePenalty, frequencyPenalty, repetitionPenalty, n, logprobs);
        }
    }
}
