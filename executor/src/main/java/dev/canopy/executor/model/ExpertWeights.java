package dev.canopy.executor.model;

import dev.canopy.executor.tensor.Tensor;
import java.util.List;
import java.util.Optional;

/**
 * One layer's mixture of experts. Each expert's matrices are zero-copy slices of the file's 3-D
 * {@code ffn_*_exps} tensors, in the file's weight type.
 *
 * @param router     router projection                       (experts rows × dim cols)
 * @param routerBias router bias                             (experts)
 * @param gate       per expert, its gate projection          (expertFfn × dim)
 * @param up         per expert, its up projection            (expertFfn × dim)
 * @param down       per expert, its down projection          (dim × expertFfn)
 * @param biases     per-expert biases of gate, up and down (gpt-oss)
 */
public record ExpertWeights(Tensor router, Optional<float[]> routerBias, List<Tensor> gate, List<Tensor> up,
                            List<Tensor> down, Optional<Biases> biases) {

    public ExpertWeights {
        gate = List.copyOf(gate);
        up = List.copyOf(up);
        down = List.copyOf(down);
    }

    /** Per expert e: gate[e] (expertFfn), up[e] (expertFfn), down[e] (dim). */
    public record Biases(float[][] gate, float[][] up, float[][] down) {}
}
