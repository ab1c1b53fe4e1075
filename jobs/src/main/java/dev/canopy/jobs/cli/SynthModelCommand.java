package dev.canopy.jobs.cli;

import dev.canopy.executor.model.Architecture;
import dev.canopy.executor.model.SyntheticArchModel;
import dev.canopy.executor.model.SyntheticModel;
import dev.canopy.executor.tensor.GgmlType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** {@code canopy synth-model}: writes a GGUF with random weights of a given shape, for benchmarks. */
public final class SynthModelCommand implements Command {

    @Override
    public String name() {
        return "synth-model";
    }

    @Override
    public String summary() {
        return "write a valid GGUF model with random weights of a given shape (for benchmarks)";
    }

    @Override
    public List<Flag> flags() {
        return List.of(Flag.value("out", "FILE.gguf", "the GGUF file to write"),
                Flag.value("dim", "N", "model width").withDefault("768"),
                Flag.value("layers", "N", "transformer blocks").withDefault("12"),
                Flag.value("heads", "N", "attention heads").withDefault("12"),
                Flag.value("kv-heads", "N", "key/value heads (default: --heads)"),
                Flag.value("ffn", "N", "feed-forward width").withDefault("2048"),
                Flag.value("vocab", "N", "vocabulary size").withDefault("32000"),
                Flag.value("context", "N", "context length")
                        .withDefault(Integer.toString(SyntheticModel.Shape.DEFAULT_CONTEXT_LENGTH)),
                Flag.value("type", String.join("|", typeNames()), "weight type").withDefault("Q8_0"),
                Flag.value("seed", "S", "weight seed").withDefault("1"),
                Flag.value("arch", String.join("|", Architecture.supportedNames().split(", ")), "architecture "
                        + "(qwen3moe and gpt-oss need --experts; llama with them is Mixtral-style)")
                        .withDefault("llama"),
                Flag.value("experts", "N", "experts per MoE layer (default: a dense model)"),
                Flag.value("experts-used", "K", "experts each token uses").withDefault("2"),
                Flag.value("expert-ffn", "F", "an expert's feed-forward width (default: --ffn)"));
    }

    private static String types() {
        return String.join(", ", typeNames());
    }

    private static List<String> typeNames() {
        return SyntheticModel.WEIGHT_TYPES.stream().map(Enum::name).sorted().toList();
    }

    @Override
    public int run(Args a, PrintStream out, PrintStream err) {
        Path path = Path.of(a.required("out"));
        int heads = a.intValue("heads");
        String typeName = a.required("type");
        GgmlType type = GgmlType.fromName(typeName).filter(SyntheticModel.WEIGHT_TYPES::contains)
                .orElseThrow(() -> new UsageException("canopy synth-model: --type must be one of " + types()
                        + ", got '" + typeName + "'"));
        SyntheticModel.Shape shape;
        try {
            shape = new SyntheticModel.Shape(a.intValue("dim"), a.intValue("layers"), heads,
                    a.intValue("kv-heads", heads), a.intValue("ffn"), a.intValue("vocab"), a.intValue("context"));
        } catch (IllegalArgumentException e) {
            throw new UsageException("canopy synth-model: " + e.getMessage());
        }
        String archName = a.required("arch");
        Architecture arch = Architecture.fromGgufName(archName).orElseThrow(() -> new UsageException(
                "canopy synth-model: --arch must be one of " + Architecture.supportedNames() + ", got '" + archName + "'"));
        Optional<SyntheticArchModel.Experts> experts;
        try {
            experts = a.get("experts").isEmpty() ? Optional.empty()
                    : Optional.of(new SyntheticArchModel.Experts(a.intValue("experts", 8), a.intValue("experts-used"),
                            a.intValue("expert-ffn", shape.ffn())));
        } catch (IllegalArgumentException e) {
            throw new UsageException("canopy synth-model: " + e.getMessage());
        }
        long t0 = System.nanoTime();
        if (arch == Architecture.LLAMA && experts.isEmpty()) {
            SyntheticModel.write(path, shape, type, a.longValue("seed"));
        } else {
            try {
                SyntheticArchModel.write(path, arch, shape, experts, type, a.longValue("seed"));
            } catch (IllegalArgumentException e) {
                throw new UsageException("canopy synth-model: " + e.getMessage());
            }
        }
        err.printf("wrote %s: %s %s%s, %s weights, in %.1f s%n", path, arch.ggufName(), shape,
                experts.map(e -> " " + e).orElse(""), type, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
