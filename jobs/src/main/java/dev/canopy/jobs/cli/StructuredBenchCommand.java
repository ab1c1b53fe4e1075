package dev.canopy.jobs.cli;

import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.structured.Constraint;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code canopy structured-bench}: decode throughput of rows sharing one JSON Schema against the same rows
 * unconstrained, on one engine in one run, alternating the two (free, constrained, constrained, free, ...)
 * with fresh prompts each time so neither gains from the prefix cache. Reports each run's output tokens/s,
 * the ratio of the constrained sum to the free sum, and each round's ratio with their median (on a shared
 * machine a round can be slowed by other work; the median resists that).
 */
public final class StructuredBenchCommand implements Command {

    /**
     * A schema whose value cannot complete within a benchmark's output length (a string of at least 400
     * characters inside an object), so constrained rows decode exactly as many tokens as the free ones and the
     * batch stays full in both runs.
     */
    static final String DEFAULT_SCHEMA = "{\"type\":\"object\",\"additionalProperties\":false,\"required\":[\"text\"],"
            + "\"properties\":{\"text\":{\"type\":\"string\",\"minLength\":400}}}";

    @Override
    public String name() {
        return "structured-bench";
    }

    @Override
    public String summary() {
        return "tokens/s of rows sharing one JSON Schema vs the same rows unconstrained, in one run";
    }

    @Override
    public List<Flag> flags() {
        return List.of(EngineFlags.MODEL,
                Flag.value("rows", "N", "rows per run").withDefault("32"),
                Flag.value("prompt-len", "N", "prompt tokens per row").withDefault("32"),
                Flag.value("output-len", "N", "output tokens per row").withDefault("32"),
                Flag.value("rounds", "N", "free/constrained pairs of runs").withDefault("2"),
                Flag.value("schema", "JSON", "the JSON Schema every constrained row follows (default: an object "
                        + "with a string of at least 400 characters, so rows decode the full output length)"),
                Flag.value("seed", "S", "workload seed").withDefault("1"),
                EngineFlags.THREADS, EngineFlags.KV_BUDGET, EngineFlags.MAX_SEQS, EngineFlags.MAX_BATCH_TOKENS,
                EngineFlags.BACKEND,
                Flag.toggle("json", "print the report as JSON"));
    }

    @Override
    public int run(Args a, PrintStream out, PrintStream err) {
        int rows = a.intValue("rows");
        int promptLen = a.intValue("prompt-len");
        int outputLen = a.intValue("output-len");
        int rounds = a.intValue("rounds");
        long seed = a.longValue("seed");
        if (rows < 1 || promptLen < 1 || outputLen < 1 || rounds < 1) {
            throw new UsageException("canopy structured-bench: --rows, --prompt-len, --output-len and --rounds must be"
                    + " positive");
        }
        Constraint schema = new Constraint.JsonSchema(a.get("schema").orElse(DEFAULT_SCHEMA));
        EngineConfig config = EngineFlags.config(a);
        Map<String, Object> report = new LinkedHashMap<>();
        double freeSum = 0;
        double constrainedSum = 0;
        List<Object> runs = new ArrayList<>();
        List<Double> pairRatios = new ArrayList<>(); // per round: constrained over free tokens/s
        try (Engine engine = Engine.open(config)) {
            int vocab = engine.tokenizer().vocabSize();
            WorkloadBench.warmUp(engine, seed);
            for (int round = 0; round < rounds; round++) {
                double free = 0;
                double bound = 0;
                // Odd rounds run the constrained rows first, so a drift in the machine's load favours neither side.
                boolean[] order = round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false};
                for (boolean constrained : order) {
                    List<GenerationRequest> reqs = Workload.longOutput(vocab, rows, promptLen, outputLen,
                            seed + 2L * round + (constrained ? 1 : 0));
                    if (constrained) {
                        reqs = reqs.stream().map(r -> r.withConstraint(schema)).toList();
                    }
                    Map<String, Object> r = WorkloadBench.run(engine, reqs);
                    r.put("constrained", constrained);
                    double tps = ((Number) r.get("output_tokens_per_s")).doubleValue();
                    if (constrained) {
                        constrainedSum += tps;
                        bound = tps;
                    } else {
                        freeSum += tps;
                        free = tps;
                    }
                    runs.add(r);
                }
                pairRatios.add(WorkloadBench.round(bound / free));
            }
        }
        report.put("model", config.model().toString());
        report.put("rows", rows);
        report.put("threads", config.threads());
        report.put("runs", runs);
        report.put("constrained_over_free_tokens_per_s", WorkloadBench.round(constrainedSum / freeSum));
        report.put("per_round_ratios", pairRatios);
        List<Double> sorted = pairRatios.stream().sorted().toList();
        report.put("median_round_ratio", sorted.get(sorted.size() / 2));
        if (a.has("json")) {
            out.println(InspectCommand.json(report));
        } else {
            report.forEach((k, v) -> out.println(k + ": " + v));
        }
        return 0;
    }
}
