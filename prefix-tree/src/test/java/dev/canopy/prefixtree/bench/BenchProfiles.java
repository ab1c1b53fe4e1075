package dev.canopy.prefixtree.bench;

import dev.canopy.prefixtree.CostModel;
import dev.canopy.prefixtree.EngineLimits;
import dev.canopy.prefixtree.HardwareProfile;
import dev.canopy.prefixtree.ModelShape;
import dev.canopy.prefixtree.PrefillPacing;

/**
 * The model and machine the simulation tables assume: a Llama-3-8B shape (GQA, 8 KV heads, bf16) on
 * one H100 SXM taken at 60% of its 989 dense bf16 TFLOP/s and 80% of its 3.35 TB/s, with 30 GiB of KV
 * cache and a 0.5 ms step overhead; a vLLM-like engine (256 sequences, 8192 tokens a step, 16-token blocks).
 */
public final class BenchProfiles {

    private BenchProfiles() {
    }

    public static ModelShape llama3_8b() {
        return new ModelShape(32, 4096, 32, 8, 128, 14336, 128_256, 2.0, 2.0);
    }

    public static HardwareProfile h100() {
        return new HardwareProfile("H100 SXM (60% of 989 TFLOP/s, 80% of 3.35 TB/s, 30 GiB KV)", 0.6 * 989e12, 0.8 * 3.35e12, 30L << 30, 0.5e-3);
    }

    /** vLLM-like limits with the given prefill pacing. */
    public static EngineLimits vllmLike(PrefillPacing pacing) {
        return new EngineLimits(256, 8192, 16, pacing);
    }

    public static CostModel h100Llama8b() {
        return new CostModel(llama3_8b(), h100());
    }
}
