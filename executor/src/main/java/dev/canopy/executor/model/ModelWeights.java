package dev.canopy.executor.model;

import dev.canopy.executor.tensor.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * All weights of a model.
 *
 * @param tokenEmbedding   (vocab rows × dim cols)
 * @param outputNorm       final RMSNorm weight (dim)
 * @param output           classifier (vocab × dim); the embedding itself when tied
 * @param layers           one entry per block
 * @param ropeFreqFactors  Llama 3 rope scaling: per-frequency divisors (ropeDim / 2), when present
 */
public record ModelWeights(Tensor tokenEmbedding, float[] outputNorm, Tensor output, List<LayerWeights> layers,
                           Optional<float[]> ropeFreqFactors) {

    public ModelWeights {
        layers = List.copyOf(layers);
    }
}
