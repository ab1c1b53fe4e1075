package dev.canopy.executor.hf;

import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stacks the per-expert tensors of MoE checkpoints into GGUF's 3-D expert tensors, as llama.cpp's
 * converter does: Mixtral's {@code block_sparse_moe.experts.E.w1/w3/w2} and Qwen3-MoE's
 * {@code mlp.experts.E.gate_proj/up_proj/down_proj} become {@code blk.L.ffn_gate/up/down_exps.weight}
 * of shape {@code [in, out, experts]}, expert {@code E} at slice {@code E}. Nothing is copied: the
 * stacked tensor is written from the experts' mapped slices one after another ({@link ConvertedTensors}).
 */
final class HfExpertStack {

    private static final Pattern EXPERT = Pattern.compile(
            "model\\.layers\\.(\\d+)\\.(?:mlp|block_sparse_moe)\\.experts\\.(\\d+)\\.(gate_proj|up_proj|down_proj|w1|w2|w3)\\.weight");
    private static final Map<String, String> KIND = Map.of("gate_proj", "ffn_gate_exps", "w1", "ffn_gate_exps",
            "up_proj", "ffn_up_exps", "w3", "ffn_up_exps", "down_proj", "ffn_down_exps", "w2", "ffn_down_exps");

    private final int experts;
    private final Map<String, TreeMap<Integer, Tensor>> stacks = new LinkedHashMap<>(); // GGUF name → expert → tensor
    private final Map<String, Path> files = new LinkedHashMap<>(); // GGUF name → a shard holding one of its experts

    /** Stacks for a checkpoint whose config declares {@code experts} experts (0 for a dense model). */
    HfExpertStack(int experts) {
        this.experts = experts;
    }

    /** Keeps {@code hfName} for stacking when it is a per-expert weight; false when it is not one. */
    boolean offer(String hfName, Tensor tensor, Path file) {
        Matcher m = EXPERT.matcher(hfName);
        if (!m.matches()) {
            return false;
        }
        int expert = Integer.parseInt(m.group(2));
        if (expert >= experts) {
            throw new ModelFormatException(file, "tensor " + hfName + ": expert " + expert + " is outside the "
                    + experts + " experts config.json declares (num_local_experts / num_experts)");
        }
        String name = "blk." + m.group(1) + "." + KIND.get(m.group(3)) + ".weight";
        stacks.computeIfAbsent(name, k -> new TreeMap<>()).put(expert, tensor);
        files.putIfAbsent(name, file);
        return true;
    }

    /** Adds every stacked tensor to {@code tensors}, after checking that each has all experts of one type and shape. */
    void addTo(ConvertedTensors tensors) {
        stacks.forEach((name, byExpert) -> {
            Tensor first = byExpert.firstEntry().getValue();
            for (int e = 0; e < experts; e++) {
                Tensor t = byExpert.get(e);
                if (t == null) {
                    throw new ModelFormatException(files.get(name), "expert " + e + " of " + name + " is missing: the"
                            + " checkpoint has experts " + byExpert.keySet() + " of the " + experts + " config.json declares");
                }
                if (t.type() != first.type() || !Arrays.equals(t.shape(), first.shape())) {
                    throw new ModelFormatException(files.get(name), "expert " + e + " of " + name + " is " + t.type() + " "
                            + Arrays.toString(t.shape()) + " but expert " + byExpert.firstKey() + " is " + first.type() + " "
                            + Arrays.toString(first.shape()) + "; every expert must have the same type and shape");
                }
            }
            long[] shape = Arrays.copyOf(first.shape(), first.shape().length + 1);
            shape[shape.length - 1] = experts;
            tensors.addStacked(name, shape, List.copyOf(byExpert.values()));
        });
    }
}
