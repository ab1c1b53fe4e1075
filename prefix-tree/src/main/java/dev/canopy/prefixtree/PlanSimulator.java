package dev.canopy.prefixtree;

import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * Runs a plan through the cost model, without the model, to compare policies: a continuous-batching
 * engine (at most {@code maxSequences} running, {@code maxTokensPerStep} tokens a step, chunked
 * prefill) over a paged KV cache with prefix caching bounded by the KV budget. A cached prefix is
 * reused while resident and recomputed once evicted, so an order that interleaves groups loses
 * sharing when their prefixes do not fit in the cache together.
 *
 * <p>The engine is the executor's scheduler run on counts: it admits requests in plan order under the
 * same {@link AdmissionRule}, gives a request its prompt's blocks at admission and one more each time
 * its output crosses a block boundary, and preempts the newest running request when the budget runs out
 * (it recomputes later), so the simulated steps, peak KV and preemptions follow a real run's.
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
        return simulate(tree, requests, plan, outputTokens, request -> { });
    }

    /**
     * As {@link #simulate(PrefixTree, List, Plan, int[])}, calling {@code admitted} with each request's index as the
     * simulated engine admits it (again after each preemption), to compare the simulated order with a real run's.
     */
    public SimulationResult simulate(PrefixTree tree, List<Request> requests, Plan plan, int[] outputTokens,
            IntConsumer admitted) {
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(admitted, "admitted");
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
        return new EngineRun(cost, limits, tree, List.copyOf(requests), outputTokens.clone(), plan.executionOrder(),
                admitted).run();
    }
}
