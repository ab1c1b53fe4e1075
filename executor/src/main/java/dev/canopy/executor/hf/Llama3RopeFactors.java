package dev.canopy.executor.hf;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * Llama 3.1+'s RoPE scaling ({@code rope_scaling.rope_type = llama3}) as the per-frequency divisors
 * GGUF keeps in {@code rope_freqs.weight}, computed as llama.cpp's converter ({@code LlamaModel.
 * generate_extra_tensors}) and transformers' {@code _compute_llama3_parameters} do: wavelengths
 * shorter than {@code original_max_position_embeddings / high_freq_factor} keep their frequency,
 * longer than {@code original_max_position_embeddings / low_freq_factor} are divided by
 * {@code factor}, and the band between is interpolated smoothly.
 */
final class Llama3RopeFactors {

    private Llama3RopeFactors() {}

    /**
     * One divisor per rotary pair ({@code headDim / 2}).
     *
     * @param scaling the {@code rope_scaling} object of config.json
     */
    static float[] of(Path file, JsonNode scaling, double ropeTheta, int headDim) {
        double factor = HfModelConfig.number(file, scaling, "factor", 8.0);
        double low = HfModelConfig.number(file, scaling, "low_freq_factor", 1.0);
        double high = HfModelConfig.number(file, scaling, "high_freq_factor", 4.0);
        double oldContext = HfModelConfig.number(file, scaling, "original_max_position_embeddings", 8192);
        double lowWavelen = oldContext / low;
        double highWavelen = oldContext / high;
        float[] factors = new float[headDim / 2];
        for (int i = 0; i < factors.length; i++) {
            float freq = (float) (1.0 / Math.pow(ropeTheta, (2.0 * i) / headDim));
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highWavelen) {
                factors[i] = 1f;
            } else if (wavelen > lowWavelen) {
                factors[i] = (float) factor;
            } else {
                double smooth = (oldContext / wavelen - low) / (high - low);
                factors[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return factors;
    }
}
