package dev.canopy.executor.model;

import java.util.Optional;

/**
 * The weights of one block that only some architectures have (see {@link ArchFeatures}).
 *
 * @param qNorm          per-head RMSNorm weight of Q, shared by the heads        (headDim)
 * @param kNorm          per-head RMSNorm weight of K                             (headDim)
 * @param postAttnNorm   RMSNorm weight on the attention output                   (dim)
 * @param postFfnNorm    RMSNorm weight on the FFN output                         (dim)
 * @param attnOutputBias bias after the attention output projection              (dim)
 * @param sinks          attention-sink logit per query head                      (heads)
 * @param experts        the mixture of experts replacing the dense FFN
 */
public record LayerExtras(Optional<float[]> qNorm, Optional<float[]> kNorm, Optional<float[]> postAttnNorm,
                          Optional<float[]> postFfnNorm, Optional<float[]> attnOutputBias, Optional<float[]> sinks,
                          Optional<ExpertWeights> experts) {

    public static final LayerExtras NONE = new LayerExtras(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
}
