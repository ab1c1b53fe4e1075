package dev.canopy.executor.model;

import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.tensor.GgmlType;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Writes a random-weight GGUF of any {@link Architecture}, with the keys and tensors llama.cpp's converter writes
 * for it (see {@link SyntheticModel} for the weights and the tokenizer): q/k norms for qwen3, qwen3moe and gemma3;
 * Gemma's post-norms, window and soft-caps; phi3's fused QKV and gate/up; gpt-oss's biases, sinks and window; and
 * 3-D expert tensors in the chosen weight type for the mixtures of experts (the router stays F32).
 * Sliding windows take the released models' sizes: gemma2 4096, gemma3 1024, gpt-oss 128.
 */
public final class SyntheticArchModel {

    /**
     * The experts of a synthetic mixture of experts.
     *
     * @param count experts per layer
     * @param used  experts per token
     * @param ffn   one expert's FFN width
     */
    public record Experts(int count, int used, int ffn) {
        public Experts {
            new MoeSpec(count, used, ffn, ExpertGating.SOFTMAX_TOP_K_NORMALIZED); // validates
        }
    }

    private SyntheticArchModel() {}

    /**
     * Writes a model of {@code arch} and {@code shape}; {@code experts} is required for qwen3moe and gpt-oss, makes
     * llama a Mixtral-style model, and is refused by the dense architectures.
     *
     * @throws IllegalArgumentException naming the architecture when experts are missing or not allowed, or as
     *     {@link SyntheticModel#write} for the weight type
     */
    public static void write(Path out, Architecture arch, SyntheticModel.Shape shape, Optional<Experts> experts,
                             GgmlType type, long seed) {
        boolean moeArch = arch == Architecture.QWEN3MOE || arch == Architecture.GPT_OSS;
        if (moeArch && experts.isEmpty()) {
            throw new IllegalArgumentException("Cannot write a synthetic " + arch.ggufName() + " model: it needs "
                    + "experts (--experts N --experts-used K --expert-ffn F)");
        }
        if (experts.isPresent() && !moeArch && arch != Architecture.LLAMA) {
            throw new IllegalArgumentException("Cannot write a synthetic " + arch.ggufName() + " model with experts: "
                    + "only llama, qwen3moe and gpt-oss have a mixture of experts");
        }
        SyntheticModel.checkType(shape, type);
        experts.ifPresent(e -> SyntheticModel.checkType(new SyntheticModel.Shape(shape.dim(), 1, shape.heads(),
                shape.kvHeads(), e.ffn(), shape.vocab()), type));
        GgufWriter w = new GgufWriter(out);
        String a = arch.ggufName();
        w.putString("general.architecture", a);
        SyntheticModel.Shape keyed = arch == Architecture.LLAMA && experts.isPresent()
                ? new SyntheticModel.Shape(shape.dim(), shape.layers(), shape.heads(), shape.kvHeads(),
                        experts.get().ffn(), shape.vocab(), shape.contextLength())
                : shape; // Mixtral's feed_forward_length is the expert width
        SyntheticModel.putShape(w, a, keyed, type);
        putArchKeys(w, arch, shape, experts);
        SyntheticModel.putTokenizer(w, shape);
        new LayerWriter(w, arch, shape, experts, type, seed).writeAll();
        w.write();
    }

    private static void putArchKeys(GgufWriter w, Architecture arch, SyntheticModel.Shape shape,
                                    Optional<Experts> experts) {
        String a = arch.ggufName() + ".";
        if (arch != Architecture.LLAMA && arch != Architecture.PHI3) {
            w.putUint32(a + "attention.key_length", shape.headDim());
            w.putUint32(a + "attention.value_length", shape.headDim());
        }
        experts.ifPresent(e -> {
            w.putUint32(a + "expert_count", e.count());
            w.putUint32(a + "expert_used_count", e.used());
            if (arch != Architecture.LLAMA) {
                w.putUint32(a + "expert_feed_forward_length", e.ffn());
            }
        });
        switch (arch) {
            case GEMMA2 -> {
                w.putUint32(a + "attention.sliding_window", 4096);
                w.putFloat32(a + "attn_logit_softcapping", 50f);
                w.putFloat32(a + "final_logit_softcapping", 30f);
            }
            case GEMMA3 -> w.putUint32(a + "attention.sliding_window", 1024);
            case GPT_OSS -> w.putUint32(a + "attention.sliding_window", 128);
            default -> { }
        }
    }
}
