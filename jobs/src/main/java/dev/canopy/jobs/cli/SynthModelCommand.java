package dev.canopy.jobs.cli;

import dev.canopy.executor.model.Architecture;
import dev.canopy.executor.model.SyntheticArchModel;
import dev.canopy.executor.model.SyntheticModel;
import dev.canopy.executor.tensor.GgmlType;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

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
    public String usage() {
        return """
                usage: canopy synth-model --out FILE.gguf [--dim 768] [--layers 12] [--heads 12] [--kv-heads 12]
                                          [--ffn 2048] [--vocab 32000] [--context 2048] [--type Q8_0] [--seed 1]
                                          [--arch llama] [--experts N --experts-used K --expert-ffn F]
                  --type: one of %s
                  --arch: one of %s (qwen3moe and gpt-oss need --experts; llama with them is Mixtral-style)"""
                .formatted(types(), Architecture.supportedNames());
    }

    private static String types() {
        return SyntheticModel.WEIGHT_TYPES.stream().map(Enum::name).sorted().collect(Collectors.joining(", "));
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) {
        Args a = Args.parse(name(), argv, Set.of("out", "dim", "layers", "heads", "kv-heads", "ffn", "vocab",
                "context", "type", "seed", "arch", "experts", "experts-used", "expert-ffn"), Set.of());
        Path path = Path.of(a.required("out"));
        int heads = a.intValue("heads", 12);
        String typeName = a.get("type").orElse("Q8_0");
        GgmlType type = GgmlType.fromName(typeName).filter(SyntheticModel.WEIGHT_TYPES::contains)
                .orElseThrow(() -> new UsageException("canopy synth-model: --type must be one of " + types()
                        + ", got '" + typeName + "'"));
        SyntheticModel.Shape shape;
        try {
            shape = new SyntheticModel.Shape(a.intValue("dim", 768), a.intValue("layers", 12), heads,
                    a.intValue("kv-heads", heads), a.intValue("ffn", 2048), a.intValue("vocab", 32000),
                    a.intValue("context", SyntheticModel.Shape.DEFAULT_CONTEXT_LENGTH));
        } catch (IllegalArgumentException e) {
            throw new UsageException("canopy synth-model: " + e.getMessage());
        }
        String archName = a.get("arch").orElse("llama");
        Architecture arch = Architecture.fromGgufName(archName).orElseThrow(() -> new UsageException(
                "canopy synth-model: --arch must be one of " + Architecture.supportedNames() + ", got '" + archName + "'"));
        Optional<SyntheticArchModel.Experts> experts;
        try {
            experts = a.get("experts").isEmpty() ? Optional.empty()
                    : Optional.of(new SyntheticArchModel.Experts(a.intValue("experts", 8), a.intValue("experts-used", 2),
                            a.intValue("expert-ffn", shape.ffn())));
        } catch (IllegalArgumentException e) {
            throw new UsageException("canopy synth-model: " + e.getMessage());
        }
        long t0 = System.nanoTime();
        if (arch == Architecture.LLAMA && experts.isEmpty()) {
            SyntheticModel.write(path, shape, type, a.longValue("seed", 1));
        } else {
            try {
                SyntheticArchModel.write(path, arch, shape, experts, type, a.longValue("seed", 1));
            } catch (IllegalArgumentException e) {
                throw new UsageException("canopy synth-model: " + e.getMessage());
            }
        }
        err.printf("wrote %s: %s %s%s, %s weights, in %.1f s%n", path, arch.ggufName(), shape,
                experts.map(e -> " " + e).orElse(""), type, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
