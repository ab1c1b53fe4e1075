package dev.canopy.jobs.cli;

import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.engine.offload.OffloadConfig;
import dev.canopy.executor.engine.offload.SwapMetrics;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.ModelConfig;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.TierStats;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code canopy bench --compare offload}: one workload, in one process, with the KV pool at 100% of the workload's
 * working set (the KV of every sequence that can run at once, at full length), then at smaller budgets with three
 * ways to preempt: recompute, swap with LRU eviction, and plan-aware swap (plan-aware eviction, prefix blocks kept only
 * when the queue reads them again, prefetch). Reports throughput against the unconstrained run, preemptions, swaps,
 * bytes moved per tier and prefetch timeliness, and whether every output matched the unconstrained run's.
 */
final class OffloadComparison {

    private enum Mode {
        RECOMPUTE("recompute"), LRU_SWAP("lru-swap"), PLAN_SWAP("plan-swap");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    private OffloadComparison() {
    }

    /**
     * Runs the comparison of workload {@code kind} (see {@link BenchCommand#requests}) with the engine settings of
     * {@code base} (its KV budget and offload are replaced per run).
     *
     * @throws UsageException when a flag is bad or the working set does not fit the KV cache at 100%
     */
    static Map<String, Object> run(Args a, EngineConfig base, String kind) {
        int[] budgets = budgets(a.required("budgets"));
        ModelConfig model;
        try (Model m = Model.load(base.model())) {
            model = m.config();
        }
        List<GenerationRequest> requests = BenchCommand.requests(a, kind, model.vocab());
        long blockBytes = model.kvBytesPerToken() * base.blockSize();
        int workingSetBlocks = workingSetBlocks(requests, base.blockSize(), base.maxSeqs());
        long workingSetBytes = workingSetBlocks * blockBytes;
        OffloadConfig swap;
        try {
            swap = OffloadFlags.parse(a, "host", workingSetBytes, "swap");
        } catch (IllegalArgumentException e) {
            throw new UsageException("canopy bench: " + e.getMessage());
        }
        if (!swap.enabled()) {
            throw new UsageException("canopy bench: --compare offload swaps to --offload host, disk or host+disk "
                    + "with --preempt swap or auto, got --offload " + swap.tiers().label());
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("model", base.model().toString());
        r.put("workload", kind);
        r.put("requests", requests.size());
        r.put("max_seqs", base.maxSeqs());
        r.put("offload_tiers", swap.tiers().label());
        r.put("working_set_blocks", workingSetBlocks);
        r.put("working_set_bytes", workingSetBytes);
        List<Map<String, Object>> runs = new ArrayList<>();
        Outcome unconstrained = runOnce(base.withKvBudgetBytes(workingSetBytes).withOffload(OffloadConfig.none()),
                requests, workingSetBlocks, true);
        runs.add(row(100, "unconstrained", unconstrained, unconstrained));
        for (int percent : budgets) {
            long budget = (long) Math.ceil(workingSetBlocks * percent / 100.0) * blockBytes;
            EngineConfig tight = base.withKvBudgetBytes(budget);
            for (Mode mode : Mode.values()) {
                OffloadConfig offload = switch (mode) {
                    case RECOMPUTE -> OffloadConfig.none();
                    case LRU_SWAP -> swap.withPolicy(EvictionPolicyKind.LRU);
                    case PLAN_SWAP -> swap.withPolicy(EvictionPolicyKind.PLAN_AWARE);
                };
                runs.add(row(percent, mode.label, runOnce(tight.withOffload(offload), requests, 0, false),
                        unconstrained));
            }
        }
        r.put("runs", runs);
        return r;
    }

    /** The report as a table, one line per run. */
    @SuppressWarnings("unchecked")
    static void printTable(Map<String, Object> r, PrintStream out) {
        out.printf(Locale.ROOT, "offload comparison: %s, %s requests, KV working set %s blocks (%.1f MB), offload to %s%n",
                r.get("workload"), r.get("requests"), r.get("working_set_blocks"),
                (Long) r.get("working_set_bytes") / 1e6, r.get("offload_tiers"));
        out.printf("%-6s %-13s %10s %7s %8s %11s %15s %15s %15s %8s %9s%n", "budget", "mode", "out tok/s", "vs 100%",
                "preempt", "swap out/in", "host in/out MB", "disk in/out MB", "prefix w/r", "prefetch", "identical");
        for (Map<String, Object> run : (List<Map<String, Object>>) r.get("runs")) {
            out.printf(Locale.ROOT, "%5s%% %-13s %10.1f %7.3f %8d %11s %15s %15s %15s %8s %9s%n",
                    run.get("budget_percent"), run.get("mode"), (Double) run.get("output_tokens_per_s"),
                    (Double) run.get("throughput_vs_unconstrained"), (Long) run.get("preemptions"),
                    run.get("swap_outs") + "/" + run.get("swap_ins"), megabytes(run, "host"), megabytes(run, "disk"),
                    run.get("prefix_blocks_written") + "/" + run.get("prefix_blocks_restored"),
                    Objects.requireNonNullElse(run.get("prefetch_timeliness"), "-"), run.get("outputs_identical"));
        }
    }

    private record Outcome(List<String> outputs, Map<String, Object> report, SwapMetrics swaps, int poolBlocks) {
    }

    /** One run on a fresh engine; with {@code warmUp} the JIT warms up first (the first run of the process). */
    private static Outcome runOnce(EngineConfig config, List<GenerationRequest> requests, int requiredBlocks,
                                   boolean warmUp) {
        try (Engine engine = Engine.open(config)) {
            if (engine.backend().numBlocks() < requiredBlocks) {
                throw new UsageException("canopy bench: the working set of " + requiredBlocks + " KV blocks ("
                        + requiredBlocks * config.blockSize() * engine.model().config().kvBytesPerToken()
                        + " bytes) does not fit the KV cache, which got " + engine.backend().numBlocks()
                        + " blocks (it takes at most a quarter of the Java heap): raise -Xmx (CANOPY_JAVA_OPTS) or "
                        + "lower --requests, --prompt-len or --output-len");
            }
            if (warmUp) { // the first run of the process: let the JIT compile the decode path first
                engine.generate(Workload.random(engine.model().config().vocab(), 8, new Workload.Range(48, 48),
                        new Workload.Range(32, 32), 99));
            }
            long t0 = System.nanoTime();
            List<GenerationResult> results = engine.generate(requests);
            double wall = (System.nanoTime() - t0) / 1e9;
            List<String> outputs = results.stream()
                    .map(res -> res.error().orElse(res.text() + Arrays.toString(res.completions().isEmpty()
                            ? new int[0] : res.completions().getFirst().tokenIds())))
                    .toList();
            return new Outcome(outputs, WorkloadBench.report(engine, requests, results, wall),
                    engine.swapMetrics().orElse(null), engine.backend().numBlocks());
        }
    }

    private static Map<String, Object> row(int percent, String mode, Outcome o, Outcome unconstrained) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("budget_percent", percent);
        r.put("mode", mode);
        r.put("kv_pool_blocks", o.poolBlocks());
        double tps = (Double) o.report().get("output_tokens_per_s");
        r.put("output_tokens_per_s", tps);
        r.put("throughput_vs_unconstrained",
                WorkloadBench.round(tps / (Double) unconstrained.report().get("output_tokens_per_s")));
        r.put("wall_s", o.report().get("wall_s"));
        r.put("errors", o.report().get("errors"));
        r.put("preemptions", o.report().get("preemptions"));
        r.put("prefill_tokens_computed", o.report().get("prefill_tokens_computed"));
        SwapMetrics s = o.swaps();
        r.put("swap_outs", s == null ? 0L : s.swapOuts());
        r.put("swap_ins", s == null ? 0L : s.swapIns());
        r.put("blocks_swapped_out", s == null ? 0L : s.blocksSwappedOut());
        r.put("blocks_shared", s == null ? 0L : s.blocksShared());
        r.put("blocks_swapped_in", s == null ? 0L : s.blocksSwappedIn());
        r.put("prefix_blocks_written", s == null ? 0L : s.prefixes().written());
        r.put("prefix_blocks_restored", s == null ? 0L : s.prefixes().restored());
        for (String tier : List.of("host", "disk")) {
            TierStats t = s == null ? null : s.store().tiers().stream().filter(x -> x.name().equals(tier)).findFirst()
                    .orElse(null);
            r.put(tier + "_bytes_in", t == null ? 0L : t.bytesIn());
            r.put(tier + "_bytes_out", t == null ? 0L : t.bytesOut());
        }
        r.put("prefix_restore_timeliness", s == null || s.prefixes().timeliness().isEmpty() ? null
                : WorkloadBench.round(s.prefixes().timeliness().getAsDouble()));
        r.put("prefetch_timeliness", s == null || s.store().prefetchTimeliness().isEmpty() ? null
                : WorkloadBench.round(s.store().prefetchTimeliness().getAsDouble())); // null: nothing prefetched
        r.put("outputs_identical", o.outputs().equals(unconstrained.outputs()));
        return r;
    }

    /**
     * KV blocks the workload needs with nothing preempted: each request's prompt and output at full length, for the
     * {@code maxSeqs} largest requests (no more run at once).
     */
    static int workingSetBlocks(List<GenerationRequest> requests, int blockSize, int maxSeqs) {
        return requests.stream()
                .mapToInt(q -> (Objects.requireNonNull(q.promptTokens(), "prompt tokens").length
                        + q.params().maxTokens() + blockSize - 1) / blockSize * q.params().n())
                .boxed().sorted((x, y) -> y - x).limit(maxSeqs).mapToInt(Integer::intValue).sum();
    }

    private static int[] budgets(String text) {
        try {
            int[] budgets = Arrays.stream(text.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
            for (int b : budgets) {
                if (b < 1 || b > 100) {
                    throw new NumberFormatException();
                }
            }
            return budgets;
        } catch (NumberFormatException e) {
            throw new UsageException("canopy bench: --budgets expects percentages of the working set in [1, 100] "
                    + "separated by commas, such as 50,25; got '" + text + "'");
        }
    }

    private static String megabytes(Map<String, Object> run, String tier) {
        return String.format(Locale.ROOT, "%.1f/%.1f", (Long) run.get(tier + "_bytes_in") / 1e6,
                (Long) run.get(tier + "_bytes_out") / 1e6);
    }
}
