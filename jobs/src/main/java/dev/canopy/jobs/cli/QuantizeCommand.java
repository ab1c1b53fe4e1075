package dev.canopy.jobs.cli;

import dev.canopy.executor.model.ModelQuantizer;
import dev.canopy.executor.model.QuantScheme;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** {@code canopy quantize}: writes a quantized copy of a GGUF model. */
public final class QuantizeCommand implements Command {

    @Override
    public String name() {
        return "quantize";
    }

    @Override
    public String summary() {
        return "write a GGUF model's weights as Q8_0, Q4_0, Q4_K, Q6_K or Q4_K_M (llama.cpp's choices per tensor)";
    }

    @Override
    public List<Flag> flags() {
        return List.of(Flag.value("input", "IN.gguf", "the GGUF model to read"),
                Flag.value("output", "OUT.gguf", "the GGUF file to write (not the input)"),
                Flag.value("type", "Q8_0|Q4_0|Q4_K|Q6_K|Q4_K_M", "the weight type (required)"));
    }

    @Override
    public String notes() {
        return """
                Weight matrices take the type (the output projection Q6_K, Q4_K_M some attn_v/ffn_down
                Q6_K, as llama.cpp does); norms and other 1-D tensors are copied. A matrix whose rows do
                not divide into the type's blocks falls back to a wider type (Q4_K→Q5_0, Q6_K→Q8_0, else
                F16); each fallback is listed.""";
    }

    @Override
    public int run(Args a, PrintStream out, PrintStream err) {
        Path input = Path.of(a.required("input"));
        Path output = Path.of(a.required("output"));
        String typeName = a.required("type");
        QuantScheme scheme = QuantScheme.fromName(typeName).orElseThrow(() -> new UsageException(
                "canopy quantize: --type must be one of " + QuantScheme.names() + ", got '" + typeName + "'"));
        if (input.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
            throw new UsageException("canopy quantize: --output must differ from --input (" + input + ")");
        }
        long t0 = System.nanoTime();
        ModelQuantizer.Report report = ModelQuantizer.quantize(input, output, scheme);
        for (ModelQuantizer.TensorPlan p : report.fallbacks()) {
            out.printf("fallback %s: %d columns do not divide into %s blocks of %d, written as %s%n", p.name(),
                    p.cols(), p.wanted(), p.wanted().blockSize(), p.written());
        }
        out.printf("wrote %s (%s): %d tensors, %,d → %,d bytes of tensor data, %d fallbacks, in %.1f s%n", output,
                scheme, report.tensors().size(), report.inputTensorBytes(), report.outputTensorBytes(),
                report.fallbacks().size(), (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
