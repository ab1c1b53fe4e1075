package dev.canopy.prefixtree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Turns a job's requests into an ordered {@link Plan} under a {@link PlanPolicy}.
 *
 * <p>Every policy cuts its request order into groups that fit the KV budget with their estimated
 * outputs (the shared prefix counted once). {@link PlanPolicy#CANOPY}: requests sharing a prefix stay
 * together (prefix groups over a depth-first order); subtrees are ordered by compute density and the
 * order is consumed from its memory-heavy and compute-heavy ends at once, so each stretch of the plan
 * stays near the hardware's balance point; decode-heavy requests go first. Planning is deterministic:
 * the same requests, estimates and settings give the same plan.
 */
public final class BatchPlanner {

    private final CostModel cost;
    private final EngineLimits limits;
    private final int blendChunk;

    /** A planner whose blend takes up to {@code maxSequences / 32} requests (at least 1) from one end at a time. */
    public BatchPlanner(CostModel cost, EngineLimits limits) {
        this(cost, limits, Math.max(1, limits.maxSequences() / 32));
    }

    /** A planner whose blend takes up to {@code blendChunk} requests from one end before rebalancing. */
    public BatchPlanner(CostModel cost, EngineLimits limits, int blendChunk) {
        this.cost = Objects.requireNonNull(cost, "cost");
        this.limits = Objects.requireNonNull(limits, "limits");
        if (blendChunk < 1) {
            throw new IllegalArgumentException("Cannot create batch planner: blendChunk is " + blendChunk + "; it must be >= 1");
        }
        this.blendChunk = blendChunk;
    }

    /** Plans {@code requests} with output estimates from {@link #defaultOutputEstimates}. */
    public Plan plan(List<Request> requests, PlanPolicy policy) {
        return plan(requests, policy, defaultOutputEstimates(requests));
    }

    /** Plans {@code requests} with the given output estimates (index-aligned with the requests). */
    public Plan plan(List<Request> requests, PlanPolicy policy, int[] estimatedOutputs) {
        return plan(buildTree(requests), requests, policy, estimatedOutputs);
    }

    /**
     * Plans {@code requests} over a tree already built from them by {@link #buildTree} (or by inserting
     * each request's tokens in list order), so several policies can share one tree.
     */
    public Plan plan(PrefixTree tree, List<Request> requests, PlanPolicy policy, int[] estimatedOutputs) {
        Objects.requireNonNull(policy, "policy");
        requireTreeOf(tree, requests);
        PlanningContext context = new PlanningContext(List.copyOf(requests), tree, checkedEstimates(requests, estimatedOutputs), cost, limits);
        context.requireEveryRequestFits();
        if (requests.isEmpty()) {
            return new Plan(policy, List.of(), 0);
        }
        if (policy == PlanPolicy.CANOPY) {
            return fastestSimulated(context);
        }
        List<int[]> groups = new ArrayList<>();
        List<Integer> prefixGroups = new ArrayList<>();
        switch (policy) {
            case FCFS -> cutIntoUnits(context, inputOrder(context.size()), groups, prefixGroups);
            case PREFIX_SORT -> cutIntoUnits(context, TreeOrders.byFirstToken(context), groups, prefixGroups);
            case BATCHLLM -> decodeHeavyFirst(context, groups, prefixGroups);
            case BLEND -> blend(context, groups, prefixGroups);
            case CANOPY -> throw new IllegalStateException("Cannot plan CANOPY here: it chooses among simulated plans");
        }
        List<List<PrefixReuse>> reuse = ReuseLinker.link(context, groups);
        List<PlanGroup> planGroups = new ArrayList<>(groups.size());
        for (int g = 0; g < groups.size(); g++) {
            planGroups.add(context.toGroup(prefixGroups.get(g), groups.get(g), reuse.get(g)));
        }
        return new Plan(policy, planGroups, context.size());
    }

    /** Canopy: the blend, BatchLLM and prefix-sort plans, simulated with the estimates; the fastest wins, earlier on ties. */
    private Plan fastestSimulated(PlanningContext context) {
        PlanSimulator simulator = new PlanSimulator(cost, limits);
        Plan best = null;
        double bestSeconds = Double.POSITIVE_INFINITY;
        for (PlanPolicy candidate : List.of(PlanPolicy.BLEND, PlanPolicy.BATCHLLM, PlanPolicy.PREFIX_SORT)) {
            Plan plan = plan(context.tree, context.requests, candidate, context.outputs);
            double seconds = simulator.simulate(context.tree, context.requests, plan, context.outputs).seconds();
            if (seconds < bestSeconds) {
                best = plan;
                bestSeconds = seconds;
            }
        }
        return new Plan(PlanPolicy.CANOPY, best.groups(), best.requestCount());
    }

    /** A tree over the requests' prompts, sequence ids equal to list positions. */
    public static PrefixTree buildTree(List<Request> requests) {
        PrefixTree tree = new PrefixTree(requests.size());
        for (Request request : requests) {
            tree.insert(request.tokens());
        }
        return tree;
    }

    /** Output estimates before the job runs: each request's expected-length column if given, else its {@code max_tokens}. */
    public static int[] defaultOutputEstimates(List<Request> requests) {
        int[] estimates = new int[requests.size()];
        for (int r = 0; r < estimates.length; r++) {
            Request request = requests.get(r);
            estimates[r] = Math.min(request.maxTokens(), request.expectedOutputTokens().orElse(request.maxTokens()));
        }
        return estimates;
    }

    private static void cutIntoUnits(PlanningContext context, int[] order, List<int[]> groups, List<Integer> prefixGroups) {
        int[] starts = UnitPacker.pack(context, order);
        for (int u = 0; u + 1 < starts.length; u++) {
            groups.add(Arrays.copyOfRange(order, starts[u], starts[u + 1]));
            prefixGroups.add(u);
        }
    }

    /** BatchLLM: prefix groups in prefix-sort order, then stably by output/prompt token ratio, highest first. */
    private static void decodeHeavyFirst(PlanningContext context, List<int[]> groups, List<Integer> prefixGroups) {
        List<int[]> units = new ArrayList<>();
        cutIntoUnits(context, TreeOrders.byFirstToken(context), units, new ArrayList<>());
        double[] decodeRatio = new double[units.size()]; // (units) estimated output tokens / prompt tokens
        for (int u = 0; u < units.size(); u++) {
            long prompt = 0;
            long output = 0;
            for (int r : units.get(u)) {
                prompt += context.promptLength(r);
                output += context.outputs[r];
            }
            decodeRatio[u] = (double) output / prompt;
        }
        int[] unitOrder = new int[units.size()];
        Arrays.setAll(unitOrder, u -> u);
        IndexSort.sort(unitOrder, 0, unitOrder.length, (a, b) -> Double.compare(decodeRatio[b], decodeRatio[a]));
        for (int u : unitOrder) {
            groups.add(units.get(u));
            prefixGroups.add(u);
        }
    }

    /** Canopy: density-sorted depth-first order, cut into prefix groups, consumed from both ends. */
    private void blend(PlanningContext context, List<int[]> groups, List<Integer> prefixGroups) {
        ComputeDensity density = ComputeDensity.of(context);
        int[] order = TreeOrders.sorted(context, density::compareNodes, density::compareRequests);
        int[] starts = UnitPacker.pack(context, order);
        int n = order.length;
        int[] unitOf = new int[n]; // (n) prefix group of each position
        double[] compute = new double[n]; // (n) compute seconds of each position, its shared prefix charged to the first
        double[] memory = new double[n]; // (n) memory seconds of each position
        for (int u = 0; u + 1 < starts.length; u++) {
            for (int i = starts[u]; i < starts[u + 1]; i++) {
                unitOf[i] = u;
                int cached = i == 0 ? 0 : context.commonPrefix(order[i - 1], order[i]);
                compute[i] = density.computeSeconds(order[i], cached);
                memory[i] = density.memorySeconds(order[i], cached);
            }
        }
        for (DualScanBlender.Piece piece : DualScanBlender.blend(order, unitOf, compute, memory, blendChunk)) {
            groups.add(piece.requests());
            prefixGroups.add(piece.unit());
        }
    }

    private static int[] inputOrder(int n) {
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        return order;
    }

    private static int[] checkedEstimates(List<Request> requests, int[] estimatedOutputs) {
        Objects.requireNonNull(estimatedOutputs, "estimatedOutputs");
        if (estimatedOutputs.length != requests.size()) {
            throw new IllegalArgumentException("Cannot plan: " + estimatedOutputs.length + " output estimates for " + requests.size() + " requests");
        }
        for (int r = 0; r < estimatedOutputs.length; r++) {
            if (estimatedOutputs[r] < 1) {
                throw new IllegalArgumentException("Cannot plan: the output estimate of request " + r + " is " + estimatedOutputs[r] + "; it must be >= 1");
            }
        }
        return estimatedOutputs.clone();
    }

    private static void requireTreeOf(PrefixTree tree, List<Request> requests) {
        if (tree.size() != requests.size()) {
            throw new IllegalArgumentException("Cannot plan: the tree holds " + tree.size() + " sequences but there are " + requests.size() + " requests");
        }
        for (int r = 0; r < requests.size(); r++) {
            if (tree.sequence(r) != requests.get(r).tokens()) {
                throw new IllegalArgumentException("Cannot plan: sequence " + r + " of the tree is not request " + r
                        + "'s token array; build the tree with BatchPlanner.buildTree(requests)");
            }
        }
    }
}
