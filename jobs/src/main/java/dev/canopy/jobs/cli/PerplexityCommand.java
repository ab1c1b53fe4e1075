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
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

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
    public List<Flag> flags() {
        return List.of(EngineFlags.MODEL,
                Flag.value("text", "FILE.txt", "the text to predict"),
                Flag.value("context", "N", "tokens per window (default: the model's context length)"),
                EngineFlags.THREADS, EngineFlags.KERNELS, EngineFlags.KV_TYPE,
                Flag.toggle("json", "print the result as JSON"));
    }

    @Override
    public String notes() {
        return """
                The text's tokens are cut into windows of N tokens; each window is predicted after BOS, every
                token once. Prints exp(mean NLL).""";
    }

    @Override
    public int run(Args a, PrintStream out, PrintStream err) {
        KvCacheType kvType = EngineFlags.kvType(a);
        Path modelPath = Path.of(a.required("model"));
        Path textPath = Path.of(a.required("text"));
        KernelChoice kernels = EngineFlags.kernels(a);
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
