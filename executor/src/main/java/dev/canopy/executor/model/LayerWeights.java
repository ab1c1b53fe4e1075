package dev.canopy.executor.model;

import dev.canopy.executor.tensor.Tensor;
import java.util.Optional;

/**
 * The weights of one transformer block. Matrices stay in the file's type (zero-copy); norms and
 * biases are small and kept as float arrays.
 *
 * @param attnNorm  RMSNorm weight before attention          (dim)
 * @param wq        query projection                         (qDim rows × dim cols)
 * @param wk        key projection                           (kvDim × dim)
 * @param wv        value projection                         (kvDim × dim)
 * @param wo        attention output projection              (dim × qDim)
 * @param bias      Q/K/V biases when the architecture has them
 * @param ffnNorm   RMSNorm weight before the FFN            (dim)
 * @param gate      FFN gate projection, w1                  (ffn × dim); null when {@code extras.experts()} replace the FFN
 * @param up        FFN up projection, w3                    (ffn × dim); null with experts
 * @param down      FFN down projection, w2                  (dim × ffn); null with experts
 * @param extras    the weights of the architecture's {@link ArchFeatures}
 */
public record LayerWeights(float[] attnNorm, Tensor wq, Tensor wk, Tensor wv, Tensor wo, Optional<QkvBias> bias,
                           float[] ffnNorm, Tensor gate, Tensor up, Tensor down, LayerExtras extras) {

    /** A plain Llama block's weights. */
    public LayerWeights(float[] attnNorm, Tensor wq, Tensor wk, Tensor wv, Tensor wo, Optional<QkvBias> bias,
                        float[] ffnNorm, Tensor gate, Tensor up, Tensor down) {
        this(attnNorm, wq, wk, wv, wo, bias, ffnNorm, gate, up, down, LayerExtras.NONE);
    }

    /** Biases added after the Q, K and V projections: (qDim), (kvDim), (kvDim). */
    public record QkvBias(float[] q, float[] k, float[] v) {}
}
