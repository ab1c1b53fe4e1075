package dev.canopy.prefixtree.bench;

import dev.canopy.prefixtree.BatchPlanner;
import dev.canopy.prefixtree.CostModel;
import dev.canopy.prefixtree.EngineLimits;
import dev.canopy.prefixtree.Plan;
import dev.canopy.prefixtree.PlanPolicy;
import dev.canopy.prefixtree.PrefillPacing;
import dev.canopy.prefixtree.PrefixTree;
import dev.canopy.prefixtree.Request;
import java.util.List;
import java.util.Locale;

/**
 * Builds the prefix tree over {@link SyntheticWorkloads#scale} prompts and plans them under every
 * policy, printing build time, heap and plan times. Run with the heap the claim is about:
 * {@code java -Xmx2g -cp prefix-tree/target/classes:prefix-tree/target/test-classes
 * dev.canopy.prefixtree.bench.ScaleBenchmark [requests] [policies...]} (default 1,000,000, all policies).
 */
public final class ScaleBenchmark {

    /** What one run measured. */
    public record Measurement(int requests, long promptTokens, long distinctTokens, int nodes, double buildSeconds,
            long promptHeapBytes, long treeHeapBytes, long usedHeapBytes, long maxHeapBytes) {

        String toText() {
            return String.format(Locale.ROOT, "%,d prompts, %,d tokens (%,d distinct, %.1f%% shared), %,d nodes%n"
                            + "tree build: %.2f s; heap: prompts %s, tree %s, used after build %s of max %s%n",
                    requests, promptTokens, distinctTokens, 100.0 * (promptTokens - distinctTokens) / promptTokens, nodes,
                    buildSeconds, mib(promptHeapBytes), mib(treeHeapBytes), mib(usedHeapBytes), mib(maxHeapBytes));
        }
    }

    private ScaleBenchmark() {
    }

    /** The scale job, its tree, and what building the tree cost. */
    private record Built(Workload workload, PrefixTree tree, Measurement measurement) {
    }

    public static void main(String[] args) {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        List<PlanPolicy> policies = args.length > 1
                ? java.util.Arrays.stream(args, 1, args.length).map(PlanPolicy::valueOf).toList()
                : List.of(PlanPolicy.values());
        Built built = build(requests);
        System.out.print(built.measurement().toText());
        plan(built.workload().requests(), built.tree(), built.workload().outputTokens(), policies);
    }

    /** Builds the tree over {@code requests} scale prompts and measures time and heap. */
    public static Measurement measureBuild(int requests) {
        return build(requests).measurement();
    }

    private static Built build(int requests) {
        long heapBefore = usedHeap();
        Workload workload = SyntheticWorkloads.scale(requests, 1);
        long heapWithPrompts = usedHeap();
        long start = System.nanoTime();
        PrefixTree tree = BatchPlanner.buildTree(workload.requests());
        double buildSeconds = (System.nanoTime() - start) / 1e9;
        long heapWithTree = usedHeap();
        Measurement m = new Measurement(requests, tree.totalTokens(), tree.distinctTokens(), tree.nodeCount(), buildSeconds,
                heapWithPrompts - heapBefore, heapWithTree - heapWithPrompts, heapWithTree, Runtime.getRuntime().maxMemory());
        return new Built(workload, tree, m);
    }

    private static void plan(List<Request> requests, PrefixTree tree, int[] outputs, List<PlanPolicy> policies) {
        CostModel cost = BenchProfiles.h100Llama8b();
        EngineLimits limits = BenchProfiles.vllmLike(PrefillPacing.BALANCED);
        BatchPlanner planner = new BatchPlanner(cost, limits);
        for (PlanPolicy policy : policies) {
            long start = System.nanoTime();
            Plan plan = planner.plan(tree, requests, policy, outputs);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "plan %-11s %7.2f s, %,d groups, used heap %s%n", policy, seconds, plan.groupCount(), mib(usedHeap()));
        }
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,d MiB", bytes >> 20);
    }
}
