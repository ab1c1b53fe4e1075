package dev.canopy.prefixtree;

import java.util.ArrayList;
import java.util.List;

/** One-call entry points over the planner and simulator, for the CLI. */
public final class Plans {

    private Plans() {
    }

    /**
     * Plans {@code requests} under every policy and simulates each plan, taking the output estimates
     * (expected-length column, else {@code max_tokens}) as the true lengths.
     */
    public static PlanSummary summary(List<Request> requests, CostModel cost, EngineLimits limits) {
        return summary(requests, cost, limits, BatchPlanner.defaultOutputEstimates(requests));
    }

    /** As {@link #summary(List, CostModel, EngineLimits)} with given output lengths, used both to plan and to simulate. */
    public static PlanSummary summary(List<Request> requests, CostModel cost, EngineLimits limits, int[] outputTokens) {
        PrefixTree tree = BatchPlanner.buildTree(requests);
        BatchPlanner planner = new BatchPlanner(cost, limits);
        PlanSimulator simulator = new PlanSimulator(cost, limits);
        List<PolicySummary> policies = new ArrayList<>();
        for (PlanPolicy policy : PlanPolicy.values()) {
            Plan plan = planner.plan(tree, requests, policy, outputTokens);
            policies.add(PolicySummary.of(plan, simulator.simulate(tree, requests, plan, outputTokens)));
        }
        return new PlanSummary(requests.size(), tree.totalTokens(), tree.distinctTokens(), cost.hardware().name(), policies);
    }
}
