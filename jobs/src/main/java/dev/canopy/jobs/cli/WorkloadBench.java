package dev.canopy.jobs.cli;

import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineMetrics;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.engine.offload.SwapMetrics;
import dev.canopy.offload.OffloadStats;
import dev.canopy.offload.TierStats;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Runs a synthetic workload through the engine and reports throughput, prefix saving and KV use. */
final class WorkloadBench {

    private WorkloadBench() {}

    /** Runs a few unrelated requests (JIT, caches), so that a timed run that follows compares like with like. */
    static void warmUp(Engine engine, long seed) {
        engine.generate(Workload.random(engine.model().config().vocab(), 4, new Workload.Range(48, 48),
                new Workload.Range(8, 8), seed + 99));
    }

    static Map<String, Object> run(Engine engine, List<GenerationRequest> requests) {
        long t0 = System.nanoTime();
        List<GenerationResult> results = engine.generate(requests);
        return report(engine, requests, results, (System.nanoTime() - t0) / 1e9);
    }

    /** The report of a run that gave {@code results} for {@code requests} in {@code wall} seconds. */
    static Map<String, Object> report(Engine engine, List<GenerationRequest> requests, List<GenerationResult> results,
                                      double wall) {
        long errors = results.stream().filter(r -> r.error().isPresent()).count();
        EngineMetrics m = engine.lastRunMetrics();
        long kvPerBlock = engine.backend().blockBytes();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("requests", requests.size());
        r.put("errors", errors);
        r.put("wall_s", round(wall));
        r.put("prompt_tokens", m.promptTokens());
        r.put("prefill_tokens_computed", m.prefillTokens());
        r.put("output_tokens", m.generatedTokens());
        r.put("prompt_tokens_per_s", round(m.promptTokens() / wall));
        r.put("output_tokens_per_s", round(m.generatedTokens() / wall));
        r.put("total_tokens_per_s", round((m.promptTokens() + m.generatedTokens()) / wall));
        r.put("prefix_saving", round(m.prefixSaving()));
        r.put("steps", m.steps());
        r.put("preemptions", m.preemptions());
        r.put("peak_kv_blocks", m.peakBlocksInUse());
        r.put("peak_kv_bytes", m.peakBlocksInUse() * kvPerBlock);
        r.put("kv_pool_blocks", m.totalBlocks());
        engine.swapMetrics().ifPresent(swaps -> r.put("swap", swapReport(swaps)));
        return r;
    }

    /** What preemption by swap moved (since the engine opened): decisions, blocks, and per tier bytes and hits. */
    private static Map<String, Object> swapReport(SwapMetrics s) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("swap_decisions", s.swapDecisions());
        r.put("recompute_decisions", s.recomputeDecisions());
        r.put("blocks_swapped_out", s.blocksSwappedOut());
        r.put("blocks_shared", s.blocksShared());
        r.put("blocks_swapped_in", s.blocksSwappedIn());
        r.put("blocks_not_stored", s.blocksNotStored());
        r.put("blocks_not_restored", s.blocksNotRestored());
        OffloadStats store = s.store();
        for (int t = 0; t < store.tiers().size(); t++) {
            TierStats tier = store.tiers().get(t);
            r.put(tier.name() + "_bytes_in", tier.bytesIn());
            r.put(tier.name() + "_bytes_out", tier.bytesOut());
            r.put(tier.name() + "_hit_rate", round(store.hitRate(t).orElse(0)));
        }
        r.put("prefix_blocks_written", s.prefixes().written());
        r.put("prefix_blocks_dropped", s.prefixes().dropped());
        r.put("prefix_blocks_restored", s.prefixes().restored());
        r.put("prefix_restore_timeliness", round(s.prefixes().timeliness().orElse(0)));
        r.put("prefetch_issued", store.prefetchIssued());
        r.put("prefetch_timeliness", round(store.prefetchTimeliness().orElse(0)));
        return r;
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
