package dev.canopy.jobs.cli;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.structured.MaskBench;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.executor.tokenizer.TokenizerLoader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code canopy structured-check}: the grammar engine on MaskBench-style files (JSONSchemaBench), one
 * thread: schemas passing, compile errors, validation errors (a valid instance refused), invalidation
 * errors (an invalid instance accepted), and time to first mask / between masks percentiles, per split.
 */
public final class StructuredCheckCommand implements Command {

    @Override
    public String name() {
        return "structured-check";
    }

    @Override
    public String summary() {
        return "check constrained decoding masks on MaskBench schema files (passing, errors, mask times)";
    }

    @Override
    public List<Flag> flags() {
        return List.of(Flag.value("data", "DIR", "a MaskBench data directory (JSONSchemaBench splits)"),
                Flag.value("tokenizer", "MODEL_OR_VOCAB.gguf", "the vocabulary: a GGUF model or vocabulary file"),
                Flag.value("only", "PREFIX", "only the schema files whose name starts with PREFIX"),
                Flag.value("limit", "N", "at most N schema files (default: all)"),
                Flag.value("warmup-files", "N", "first run the first N of the files once, untimed and discarded, so that "
                        + "the JIT has compiled the engine before the timed run (default 0: time from a cold JVM); "
                        + "every schema is compiled afresh in each run, so no state carries over"),
                Flag.toggle("failures", "list every schema that did not pass, on stderr"),
                Flag.toggle("json", "print the summary as JSON"));
    }

    @Override
    public String notes() {
        return "Exit code 1 when a schema accepted an invalid instance (an invalidation error).";
    }

    @Override
    public int run(Args args, PrintStream out, PrintStream err) {
        Path data = Path.of(args.required("data"));
        Path vocab = Path.of(args.required("tokenizer"));
        if (!Files.isDirectory(data)) {
            throw new UsageException("Cannot run structured-check: --data " + data + " is not a directory");
        }
        if (!Files.isRegularFile(vocab)) {
            throw new UsageException("Cannot run structured-check: --tokenizer " + vocab
                    + " is not a file (expected a GGUF model or vocabulary file)");
        }
        Tokenizer tokenizer;
        try (GgufFile file = GgufFile.open(vocab)) {
            tokenizer = TokenizerLoader.load(file.metadata());
        }
        MaskBench bench = new MaskBench(tokenizer);
        String only = args.get("only").orElse("");
        int limit = args.intValue("limit", Integer.MAX_VALUE);
        int warmupFiles = args.intValue("warmup-files", 0);
        if (warmupFiles < 0) {
            throw new UsageException("Cannot run structured-check: --warmup-files " + warmupFiles
                    + " is negative (give 0 for no warm-up, or a number of files)");
        }
        if (warmupFiles > 0) {
            bench.run(data, only, Math.min(limit, warmupFiles));
        }
        List<MaskBench.SchemaResult> results = bench.run(data, only, limit);
        Map<String, MaskBench.Summary> summary = MaskBench.summarize(results);
        if (args.has("failures")) {
            results.stream().filter(r -> r.outcome() != MaskBench.Outcome.PASSING)
                    .forEach(r -> err.println(r.outcome() + " " + r.file() + ": " + r.detail()));
        }
        if (args.has("json")) {
            Map<String, Object> report = new LinkedHashMap<>();
            summary.forEach((split, s) -> report.put(split, row(s)));
            out.println(InspectCommand.json(report));
        } else {
            out.printf("%-26s %7s %7s %7s %7s %7s %7s | %-31s | %-31s%n", "split", "schemas", "passing", "compile",
                    "valid.", "invalid", "intern.", "first mask p50/p90/p99/max µs", "between masks p50/p90/p99/max µs");
            summary.forEach((split, s) -> out.printf("%-26s %7d %7d %7d %7d %7d %7d | %-31s | %-31s%n", split,
                    s.schemas(), s.passing(), s.compileErrors(), s.validationErrors(), s.invalidationErrors(),
                    s.internalErrors(), micros(s.firstMaskMicros()), micros(s.betweenMasksMicros())));
        }
        return summary.get("TOTAL").invalidationErrors() == 0 ? 0 : 1;
    }

    private static Map<String, Object> row(MaskBench.Summary s) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("schemas", s.schemas());
        r.put("passing", s.passing());
        r.put("compile_errors", s.compileErrors());
        r.put("validation_errors", s.validationErrors());
        r.put("invalidation_errors", s.invalidationErrors());
        r.put("internal_errors", s.internalErrors());
        r.put("masks", s.masks());
        r.put("first_mask_us", percentiles(s.firstMaskMicros()));
        r.put("between_masks_us", percentiles(s.betweenMasksMicros()));
        return r;
    }

    private static Map<String, Double> percentiles(double[] values) {
        Map<String, Double> m = new LinkedHashMap<>();
        String[] names = {"p50", "p90", "p99", "max"};
        for (int i = 0; i < names.length; i++) {
            m.put(names[i], Math.round(values[i] * 10) / 10.0);
        }
        return m;
    }

    private static String micros(double[] v) {
        return String.format("%.0f/%.0f/%.0f/%.0f", v[0], v[1], v[2], v[3]);
    }
}
