package dev.canopy.jobs.cli;

import dev.canopy.executor.engine.Perplexity;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.tensor.KernelChoice;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** {@code canopy perplexity}: how well a model predicts a text. */
public final class PerplexityCommand implements Command {

    @Override
    public String name() {
        return "perplexity";
    }

    @Override
    public String summary() {
        return "perplexity of a model on a text file, in windows of --context tokens";
    }

    @Override
    public String usage() {
        return """
                usage: canopy perplexity --model FILE.gguf --text FILE.txt [--context N] [--threads N]
                                         [--kernels auto|native|native-avx512|native-avx2|native-c|java] [--kv-type f32|q8|q4] [--json]
                  The text's tokens are cut into windows of N tokens (default: the model's context length);
                  each window is predicted after BOS, every token once. Prints exp(mean NLL).""";
    }

    @Override
    public int run(String[] argv, PrintStream out, PrintStream err) {
        Args a = Args.parse(name(), argv, Set.of("model", "text", "context", "threads", "kernels", "kv-type"),
                Set.of("json"));
        KvCacheType kvType = GenerateCommand.kvType(a);
        Path modelPath = Path.of(a.required("model"));
        Path textPath = Path.of(a.required("text"));
        String kernelName = a.get("kernels").orElse("auto");
        KernelChoice kernels = KernelChoice.fromName(kernelName).orElseThrow(() -> new UsageException(
                "canopy perplexity: --kernels must be " + KernelChoice.NAMES + ", got '" + kernelName + "'"));
        String text;
        try {
            text = Files.readString(textPath);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read text file " + textPath + ": " + e.getMessage(), e);
        }
        try (Model model = Model.load(modelPath)) {
            int context = a.intValue("context", model.config().contextLength());
            int threads = a.intValue("threads", Runtime.getRuntime().availableProcessors());
            long t0 = System.nanoTime();
            Perplexity.Result r = Perplexity.evaluate(model, text, context, threads, kernels, kvType);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("model", modelPath.toString());
            report.put("text", textPath.toString());
            report.put("context", context);
            report.put("kv_type", kvType.label());
            report.put("tokens", r.tokens());
            report.put("windows", r.windows());
            report.put("mean_nll", r.meanNll());
            report.put("perplexity", r.perplexity());
            report.put("seconds", seconds);
            if (a.has("json")) {
                out.println(InspectCommand.json(report));
            } else {
                out.printf(Locale.ROOT, "perplexity %.4f (mean NLL %.5f nats) over %d tokens in %d windows of %d, %s KV, "
                        + "%.1f s%n", r.perplexity(), r.meanNll(), r.tokens(), r.windows(), context, kvType.label(), seconds);
            }
        }
        return 0;
    }
}
