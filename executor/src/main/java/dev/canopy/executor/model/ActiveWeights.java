package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufTensorInfo;
import java.util.Collection;

/**
 * What one token's forward pass touches of a model's weights. A dense model touches them all; a
 * mixture of experts touches only its {@code used} of {@code experts} experts per layer, so a token costs
 * its active parameters, not its total.
 *
 * @param parameters      all weights in the file
 * @param bytes           their bytes
 * @param activeParameters weights one token uses (the expert tensors scaled by used / experts)
 * @param activeBytes     their bytes
 */
public record ActiveWeights(long parameters, long bytes, long activeParameters, long activeBytes) {

    /** The weights of a model of {@code config} whose tensors are {@code tensors}. */
    public static ActiveWeights of(ModelConfig config, Collection<GgufTensorInfo> tensors) {
        long params = 0;
        long bytes = 0;
        double activeParams = 0;
        double activeBytes = 0;
        double expertShare = config.features().moe().map(m -> (double) m.used() / m.experts()).orElse(1.0);
        for (GgufTensorInfo t : tensors) {
            double share = t.name().contains("_exps.") ? expertShare : 1.0;
            params += t.elementCount();
            bytes += t.byteSize();
            activeParams += share * t.elementCount();
            activeBytes += share * t.byteSize();
        }
        return new ActiveWeights(params, bytes, Math.round(activeParams), Math.round(activeBytes));
    }
}
