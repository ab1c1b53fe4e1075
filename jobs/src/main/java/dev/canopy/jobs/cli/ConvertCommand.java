package dev.canopy.jobs.cli;

import dev.canopy.executor.hf.HfToGguf;
import dev.canopy.executor.model.QuantScheme;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** {@code canopy convert}: writes a Hugging Face checkpoint directory as one GGUF file. */
public final class ConvertCommand implements Command {

    @Override
    public String name() {
        return "convert";
    }

    @Override
    public String summary() {
        return "write a Hugging Face checkpoint directory (safetensors, config.json, tokenizer.json) as a GGUF model";
    }

    @Override
    public List<Flag> flags() {
        return List.of(Flag.value("input", "CHECKPOINT_DIR", "the Hugging Face checkpoint directory"),
                Flag.value("output", "OUT.gguf", "the GGUF file to write"),
                Flag.value("type", "Q8_0|Q4_0|Q4_K|Q6_K|Q4_K_M", "quantize the weights as canopy quantize does "
                        + "(default: keep their dtype, F32, F16 or BF16)"));
    }

    @Override
    public String notes() {
        return """
                Reads config.json, model.safetensors or the shards of model.safetensors.index.json,
                tokenizer.json, tokenizer_config.json, generation_config.json and chat_template.jinja.""";
    }

    @Override
    public int run(Args a, PrintStream out, PrintStream err) {
        Path input = Path.of(a.required("input"));
        Path output = Path.of(a.required("output"));
        if (!Files.isDirectory(input)) {
            throw new UsageException("canopy convert: --input must be a checkpoint directory, got '" + input + "'");
        }
        Optional<QuantScheme> scheme = a.get("type").map(t -> QuantScheme.fromName(t).orElseThrow(
                () -> new UsageException("canopy convert: --type must be one of " + QuantScheme.names() + ", got '" + t + "'")));
        long t0 = System.nanoTime();
        HfToGguf.convert(input, output, scheme);
        out.printf("wrote %s%s in %.1f s%n", output, scheme.map(s -> " (" + s + ")").orElse(""), (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
