package dev.canopy.pipeline.generate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A row's own sampling parameters as read from its columns, each null when the row (or the input) has none.
 * Values are raw: {@link #resolve} checks them.
 */
public record RowParams(Long maxTokens, Double temperature, Double topP, Long seed, List<String> stop, Long n)
        implements Serializable {

    /** A row without its own parameters. */
    public static final RowParams NONE = new RowParams(null, null, null, null, null, null);

    public RowParams {
        stop = stop == null ? null : new ArrayList<>(stop); // may hold nulls: resolve() rejects them by name
    }

    /**
     * The settings for this row: its own values where set, the defaults elsewhere.
     *
     * @throws IllegalArgumentException naming the parameter when a value is out of range
     */
    public SamplingSettings resolve(SamplingSettings defaults) {
        return new SamplingSettings(
                maxTokens == null ? defaults.maxTokens() : toInt("max_tokens", maxTokens),
                temperature == null ? defaults.temperature() : temperature,
                topP == null ? defaults.topP() : topP,
                seed == null ? defaults.seed() : seed,
                stop == null ? defaults.stop() : stop,
                n == null ? defaults.n() : toInt("n", n));
    }

    private static int toInt(String name, long value) {
        if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Cannot use " + name + " " + value + ": it does not fit an int");
        }
        return (int) value;
    }
}
