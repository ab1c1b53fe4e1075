package dev.canopy.prefixtree;

import java.util.List;
import java.util.Objects;

/**
 * Runs a plan through the cost model, without the model, to compare policies: a continuous-batching
 * engine (at most {@code maxSequences} running, {@code maxTokensPerStep} tokens a step, chunked
 * prefill) over a paged KV cache with prefix caching bounded by the KV budget. A cached prefix is
 * reused while resident and recomputed once evicted, so an order that interleaves groups loses
 * sharing when their prefixes do not fit in the cache together.
 *
 * <p>The engine reserves each request's whole life (prompt plus output) at admission, so it never
 * preempts and never holds more than the budget. Requests are admitted in plan order.
 */
public final class PlanSimulator {

    private final CostModel cost;
    private final EngineLimits limits;

    public PlanSimulator(CostModel cost, EngineLimits limits) {
        this.cost = Objects.requireNonNull(cost, "cost");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Simulates {@code plan} over {@code requests}, each producing {@code outputTokens[i]} tokens (the
     * true lengths; the plan was made from estimates).
     */
    public SimulationResult simulate(List<Request> requests, Plan plan, int[] outputTokens) {
        return simulate(BatchPlanner.buildTree(requests), requests, plan, outputTokens);
    }

    /** As {@link #simulate(List, Plan, int[])}, reusing a tree built by {@link BatchPlanner#buildTree}. */
    public SimulationResult simulate(PrefixTree tree, List<Request> requests, Plan plan, int[] outputTokens) {
        Objects.requireNonNull(plan, "plan");
        if (plan.requestCount() != requests.size() || tree.size() != requests.size()) {
            throw new IllegalArgumentException("Cannot simulate: the plan covers " + plan.requestCount() + " requests and the tree "
                    + tree.size() + ", but there are " + requests.size());
        }
        if (outputTokens.length != requests.size()) {
            throw new IllegalArgumentException("Cannot simulate: " + outputTokens.length + " output lengths for " + requests.size() + " requests");
        }
        for (int r = 0; r < outputTokens.length; r++) {
            if (outputTokens[r] < 1) {
                throw new IllegalArgumentException("Cannot simulate: request " + r + " produces " + outputTokens[r] + " tokens; it must be >= 1");
            }
        }
        return new EngineRun(cost, limits, tree, List.copyOf(requests), outputTokens.clone(), plan.executionOrder()).run();
    }
}
