package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.tensor.GgmlType;
import java.util.Optional;

/** Writes the random tensors of a {@link SyntheticArchModel}, named and shaped as llama.cpp names them. */
final class LayerWriter {

    private static final float BIAS_STD = 0.02f;

    private final GgufWriter w;
    private final Architecture arch;
    private final SyntheticModel.Shape s;
    private final Optional<SyntheticArchModel.Experts> experts;
    private final GgmlType type;
    private final long seed;

    LayerWriter(GgufWriter w, Architecture arch, SyntheticModel.Shape shape,
                Optional<SyntheticArchModel.Experts> experts, GgmlType type, long seed) {
        this.w = w;
        this.arch = arch;
        this.s = shape;
        this.experts = experts;
        this.type = type;
        this.seed = seed;
    }

    void writeAll() {
        int dim = s.dim();
        SyntheticModel.matrix(w, "token_embd.weight", type, dim, s.vocab(), seed, 1f);
        for (int layer = 0; layer < s.layers(); layer++) {
            block("blk." + layer + ".");
        }
        SyntheticModel.norm(w, "output_norm.weight", dim, seed);
        if (arch != Architecture.GEMMA2 && arch != Architecture.GEMMA3) { // Gemma ties the output to the embedding
            SyntheticModel.matrix(w, "output.weight", type, dim, s.vocab(), seed, SyntheticModel.fanIn(dim));
        }
    }

    private void block(String b) {
        int dim = s.dim();
        float fan = SyntheticModel.fanIn(dim);
        boolean gemma = arch == Architecture.GEMMA2 || arch == Architecture.GEMMA3;
        SyntheticModel.norm(w, b + "attn_norm.weight", dim, seed);
        if (arch == Architecture.PHI3) {
            SyntheticModel.matrix(w, b + "attn_qkv.weight", type, dim, dim + 2 * s.kvDim(), seed, fan);
        } else {
            SyntheticModel.matrix(w, b + "attn_q.weight", type, dim, dim, seed, fan);
            SyntheticModel.matrix(w, b + "attn_k.weight", type, dim, s.kvDim(), seed, fan);
            SyntheticModel.matrix(w, b + "attn_v.weight", type, dim, s.kvDim(), seed, fan);
        }
        if (arch.qkvBias()) {
            vector(b + "attn_q.bias", dim);
            vector(b + "attn_k.bias", s.kvDim());
            vector(b + "attn_v.bias", s.kvDim());
        }
        if (arch == Architecture.QWEN3 || arch == Architecture.QWEN3MOE || arch == Architecture.GEMMA3) {
            SyntheticModel.norm(w, b + "attn_q_norm.weight", s.headDim(), seed);
            SyntheticModel.norm(w, b + "attn_k_norm.weight", s.headDim(), seed);
        }
        SyntheticModel.matrix(w, b + "attn_output.weight", type, dim, dim, seed, fan);
        if (arch == Architecture.GPT_OSS) {
            vector(b + "attn_output.bias", dim);
            vector(b + "attn_sinks.weight", s.heads());
        }
        if (gemma) {
            SyntheticModel.norm(w, b + "post_attention_norm.weight", dim, seed);
        }
        SyntheticModel.norm(w, b + (arch == Architecture.GPT_OSS ? "post_attention_norm.weight" : "ffn_norm.weight"),
                dim, seed);
        if (experts.isPresent()) {
            experts(b, experts.get());
        } else if (arch == Architecture.PHI3) {
            SyntheticModel.matrix(w, b + "ffn_up.weight", type, dim, 2 * s.ffn(), seed, fan);
            SyntheticModel.matrix(w, b + "ffn_down.weight", type, s.ffn(), dim, seed, SyntheticModel.fanIn(s.ffn()));
        } else {
            SyntheticModel.matrix(w, b + "ffn_gate.weight", type, dim, s.ffn(), seed, fan);
            SyntheticModel.matrix(w, b + "ffn_up.weight", type, dim, s.ffn(), seed, fan);
            SyntheticModel.matrix(w, b + "ffn_down.weight", type, s.ffn(), dim, seed, SyntheticModel.fanIn(s.ffn()));
        }
        if (gemma) {
            SyntheticModel.norm(w, b + "post_ffw_norm.weight", dim, seed);
        }
    }

    /** The router (F32, as converters keep it) and the 3-D {@code [in, out, experts]} expert tensors. */
    private void experts(String b, SyntheticArchModel.Experts e) {
        int dim = s.dim();
        SyntheticModel.matrix(w, b + "ffn_gate_inp.weight", GgmlType.F32, dim, e.count(), seed,
                SyntheticModel.fanIn(dim));
        expertMatrix(b + "ffn_gate_exps.weight", dim, e.ffn(), e.count());
        expertMatrix(b + "ffn_up_exps.weight", dim, e.ffn(), e.count());
        expertMatrix(b + "ffn_down_exps.weight", e.ffn(), dim, e.count());
        if (arch == Architecture.GPT_OSS) {
            vector(b + "ffn_gate_inp.bias", e.count());
            expertBias(b + "ffn_gate_exps.bias", e.ffn(), e.count());
            expertBias(b + "ffn_up_exps.bias", e.ffn(), e.count());
            expertBias(b + "ffn_down_exps.bias", dim, e.count());
        }
    }

    private void expertMatrix(String name, int cols, int rows, int count) {
        w.addTensor(name, type, new long[] {cols, rows, count},
                new SyntheticWeights(name, type, cols, (long) rows * count, seed, 0f, SyntheticModel.fanIn(cols)));
    }

    private void expertBias(String name, int n, int count) {
        w.addTensor(name, GgmlType.F32, new long[] {n, count},
                new SyntheticWeights(name, GgmlType.F32, n, count, seed, 0f, BIAS_STD));
    }

    private void vector(String name, int n) {
        w.addTensor(name, GgmlType.F32, new long[] {n}, new SyntheticWeights(name, GgmlType.F32, n, 1, seed, 0f,
                BIAS_STD));
    }
}
