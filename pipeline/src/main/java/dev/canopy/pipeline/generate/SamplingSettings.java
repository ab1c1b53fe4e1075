package dev.canopy.pipeline.generate;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * How to sample one row: the job's defaults, or a row's values resolved against them ({@link RowParams#resolve}).
 *
 * @param maxTokens   most tokens to generate per choice, at least 1
 * @param temperature 0 for greedy, else a finite positive softmax temperature
 * @param topP        nucleus mass in (0, 1]
 * @param seed        random seed: the same row with the same seed generates the same text
 * @param stop        strings that end a choice when generated (not included in the text), at most {@value #MAX_STOPS}
 * @param n           choices per row, 1 to {@value #MAX_CHOICES}
 */
public record SamplingSettings(int maxTokens, double temperature, double topP, long seed, List<String> stop, int n)
        implements Serializable {

    public static final int MAX_STOPS = 16;
    public static final int MAX_CHOICES = 64;

    /** max_tokens 64, temperature 1, top_p 1, seed 0, no stop strings, one choice. */
    public static final SamplingSettings DEFAULTS = new SamplingSettings(64, 1.0, 1.0, 0L, List.of(), 1);

    public SamplingSettings {
        if (maxTokens < 1) {
            throw new IllegalArgumentException("Cannot use max_tokens " + maxTokens + ": it must be >= 1");
        }
        if (!Double.isFinite(temperature) || temperature < 0) {
            throw new IllegalArgumentException("Cannot use temperature " + temperature + ": it must be a finite number >= 0");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("Cannot use top_p " + topP + ": it must be in (0, 1]");
        }
        Objects.requireNonNull(stop, "stop");
        if (stop.size() > MAX_STOPS) {
            throw new IllegalArgumentException("Cannot use " + stop.size() + " stop strings: at most " + MAX_STOPS);
        }
        for (String s : stop) {
            if (s == null || s.isEmpty()) {
                throw new IllegalArgumentException("Cannot use stop strings " + stop + ": each must be a non-empty string");
            }
        }
        stop = List.copyOf(stop);
        if (n < 1 || n > MAX_CHOICES) {
            throw new IllegalArgumentException("Cannot use n " + n + ": it must be in [1, " + MAX_CHOICES + "]");
        }
    }

    /** A copy with another max_tokens. */
    public SamplingSettings withMaxTokens(int value) {
        return new SamplingSettings(value, temperature, topP, seed, stop, n);
    }

    /** A copy with another temperature. */
    public SamplingSettings withTemperature(double value) {
        return new SamplingSettings(maxTokens, value, topP, seed, stop, n);
    }

    /** A copy with another top_p. */
    public SamplingSettings withTopP(double value) {
        return new SamplingSettings(maxTokens, temperature, value, seed, stop, n);
    }

    /** A copy with another seed. */
    public SamplingSettings withSeed(long value) {
        return new SamplingSettings(maxTokens, temperature, topP, value, stop, n);
    }

    /** A copy with other stop strings. */
    public SamplingSettings withStop(List<String> value) {
        return new SamplingSettings(maxTokens, temperature, topP, seed, value, n);
    }

    /** A copy with another number of choices. */
    public SamplingSettings withN(int value) {
        return new SamplingSettings(maxTokens, temperature, topP, seed, stop, value);
    }
}
