package dev.canopy.executor.model;

import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the tensors that differ between architectures: fused projections (phi3), q/k norms,
 * post-norms, biases, sinks and the 3-D expert tensors, named as llama.cpp's {@code llama-arch.cpp} names them.
 */
final class ArchTensors {

    private final TensorShapes t;
    private final ModelConfig c;

    ArchTensors(TensorShapes tensors, ModelConfig config) {
        this.t = tensors;
        this.c = config;
        if (tensors.has("rope_factors_long.weight") || tensors.has("rope_factors_short.weight")) {
            throw tensors.unsupported("it has LongRoPE factors (rope_factors_long/short.weight), which Canopy does "
                    + "not implement yet; running without them would give wrong outputs");
        }
    }

    /** Q, K and V projections: separate tensors, or row ranges of phi3's fused {@code attn_qkv}. */
    Tensor[] attention(String b) {
        if (t.has(b + "attn_qkv.weight")) {
            Tensor qkv = t.matrix(b + "attn_qkv.weight", c.dim(), c.qDim() + 2 * c.kvDim());
            return new Tensor[] {
                TensorShapes.rows(qkv, b + "attn_q.weight", 0, c.qDim()),
                TensorShapes.rows(qkv, b + "attn_k.weight", c.qDim(), c.kvDim()),
                TensorShapes.rows(qkv, b + "attn_v.weight", c.qDim() + c.kvDim(), c.kvDim())};
        }
        return new Tensor[] {t.matrix(b + "attn_q.weight", c.dim(), c.qDim()),
            t.matrix(b + "attn_k.weight", c.dim(), c.kvDim()), t.matrix(b + "attn_v.weight", c.dim(), c.kvDim())};
    }

    /** Gate, up and down of a dense FFN; phi3 fuses gate (first half) and up (second half) in {@code ffn_up}. */
    Tensor[] denseFfn(String b) {
        if (c.architecture().equals(Architecture.PHI3.ggufName())) {
            Tensor fused = t.matrix(b + "ffn_up.weight", c.dim(), 2 * c.ffn());
            return new Tensor[] {TensorShapes.rows(fused, b + "ffn_gate.weight", 0, c.ffn()),
                TensorShapes.rows(fused, b + "ffn_up.weight", c.ffn(), c.ffn()),
                t.matrix(b + "ffn_down.weight", c.ffn(), c.dim())};
        }
        Tensor gate = t.matrix(b + "ffn_gate.weight", c.dim(), c.ffn());
        Tensor up = t.matrix(b + "ffn_up.weight", c.dim(), c.ffn());
        return new Tensor[] {gate, up, t.matrix(b + "ffn_down.weight", c.ffn(), c.dim())};
    }

    /** The RMSNorm before the FFN: gpt-oss names it {@code post_attention_norm}. */
    float[] ffnNorm(String b) {
        boolean gptOss = c.architecture().equals(Architecture.GPT_OSS.ggufName());
        return t.vector(b + (gptOss ? "post_attention_norm.weight" : "ffn_norm.weight"), c.dim());
    }

    LayerExtras extras(String b) {
        ArchFeatures f = c.features();
        return new LayerExtras(
                f.qkNorm() ? Optional.of(t.vector(b + "attn_q_norm.weight", c.headDim())) : Optional.empty(),
                f.qkNorm() ? Optional.of(t.vector(b + "attn_k_norm.weight", c.headDim())) : Optional.empty(),
                f.postNorms() ? Optional.of(t.vector(b + "post_attention_norm.weight", c.dim())) : Optional.empty(),
                f.postNorms() ? Optional.of(t.vector(b + "post_ffw_norm.weight", c.dim())) : Optional.empty(),
                f.attnOutputBias() ? Optional.of(t.vector(b + "attn_output.bias", c.dim())) : Optional.empty(),
                f.attnSinks() ? Optional.of(t.vector(b + "attn_sinks.weight", c.heads())) : Optional.empty(),
                f.moe().map(m -> experts(b, m)));
    }

    private ExpertWeights experts(String b, MoeSpec m) {
        int n = m.experts();
        int ff = m.expertFfn();
        Tensor router = t.matrix(b + "ffn_gate_inp.weight", c.dim(), n);
        boolean biased = t.has(b + "ffn_gate_inp.bias");
        Optional<float[]> routerBias = biased ? Optional.of(t.vector(b + "ffn_gate_inp.bias", n)) : Optional.empty();
        Optional<ExpertWeights.Biases> biases = biased
                ? Optional.of(new ExpertWeights.Biases(expertBias(b + "ffn_gate_exps.bias", ff, n),
                        expertBias(b + "ffn_up_exps.bias", ff, n), expertBias(b + "ffn_down_exps.bias", c.dim(), n)))
                : Optional.empty();
        return new ExpertWeights(router, routerBias, perExpert(b + "ffn_gate_exps.weight", c.dim(), ff, n),
                perExpert(b + "ffn_up_exps.weight", c.dim(), ff, n), perExpert(b + "ffn_down_exps.weight", ff, c.dim(), n),
                biases);
    }

    /** Splits a 3-D {@code [cols, rows, experts]} tensor into one zero-copy matrix per expert. */
    private List<Tensor> perExpert(String name, int cols, int rows, int experts) {
        Tensor all = t.shaped(name, cols, rows, experts);
        List<Tensor> out = new ArrayList<>(experts);
        for (int e = 0; e < experts; e++) {
            out.add(TensorShapes.rows(all, name + "[" + e + "]", e * rows, rows));
        }
        return out;
    }

    /** A {@code [n, experts]} bias tensor as one float array per expert. */
    private float[][] expertBias(String name, int n, int experts) {
        float[] all = Dequant.toFloats(t.shaped(name, n, experts));
        float[][] out = new float[experts][n];
        for (int e = 0; e < experts; e++) {
            System.arraycopy(all, e * n, out[e], 0, n);
        }
        return out;
    }
}
