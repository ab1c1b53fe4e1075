package dev.canopy.prefixtree.bench;

import dev.canopy.prefixtree.CostModel;
import dev.canopy.prefixtree.EngineLimits;
import dev.canopy.prefixtree.PlanSummary;
import dev.canopy.prefixtree.Plans;
import dev.canopy.prefixtree.PrefillPacing;
import java.util.List;

/**
 * Prints the policy comparison for the three synthetic workloads on {@link BenchProfiles}.
 * Usage: {@code SimulationTable [requestsPerWorkload] [seed]} (defaults 20000, 1).
 */
public final class SimulationTable {

    private SimulationTable() {
    }

    public static void main(String[] args) {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1L;
        CostModel cost = BenchProfiles.h100Llama8b();
        List<Workload> workloads = List.of(
                SyntheticWorkloads.heavySharing(requests, seed),
                SyntheticWorkloads.noSharing(requests, seed),
                SyntheticWorkloads.mixed(requests, seed));
        for (PrefillPacing pacing : PrefillPacing.values()) {
            EngineLimits limits = BenchProfiles.vllmLike(pacing);
            for (Workload workload : workloads) {
                long start = System.nanoTime();
                PlanSummary summary = Plans.summary(workload.requests(), cost, limits, workload.outputTokens());
                System.out.printf("== %s, %s pacing (planned and simulated in %.1f s)%n%s%n",
                        workload.name(), pacing, (System.nanoTime() - start) / 1e9, summary.toText());
            }
        }
    }
}
