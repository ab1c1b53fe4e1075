package dev.canopy.prefixtree;

import java.util.Objects;

/**
 * The continuous-batching engine's per-step limits, shared by the planner and the simulator.
 *
 * @param maxSequences sequences running at once
 * @param maxTokensPerStep tokens one step computes (decode tokens plus prefill chunks)
 * @param blockTokens tokens per KV cache block; prefix caching reuses whole blocks only
 * @param pacing how a step sizes its prefill next to its decodes
 */
public record EngineLimits(int maxSequences, int maxTokensPerStep, int blockTokens, PrefillPacing pacing) {

    public EngineLimits {
        Objects.requireNonNull(pacing, "pacing");
        if (maxSequences <= 0 || maxTokensPerStep <= 0 || blockTokens <= 0) {
            throw new IllegalArgumentException("Cannot create engine limits: maxSequences " + maxSequences + ", maxTokensPerStep "
                    + maxTokensPerStep + " and blockTokens " + blockTokens + " must all be > 0");
        }
        if (maxTokensPerStep < maxSequences) {
            throw new IllegalArgumentException("Cannot create engine limits: maxTokensPerStep " + maxTokensPerStep
                    + " is below maxSequences " + maxSequences + "; every running sequence needs one token per step");
        }
    }
}
