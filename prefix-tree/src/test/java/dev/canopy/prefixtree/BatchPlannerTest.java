package dev.canopy.prefixtree;

import static dev.canopy.prefixtree.TestCosts.concat;
import static dev.canopy.prefixtree.TestCosts.request;
import static dev.canopy.prefixtree.TestCosts.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {

    private static final int[] A = run(100, 20); // two unrelated 20-token prefixes; A sorts first
    private static final int[] B = run(500, 20);

    /** Interleaved input: a0 b0 a1 b1 a2 b2, each a prefix plus its own 4 tokens. */
    private final List<Request> interleaved = List.of(
            request(0, concat(A, run(1, 4)), 2), request(1, concat(B, run(1, 4)), 2),
            request(2, concat(A, run(5, 4)), 2), request(3, concat(B, run(5, 4)), 2),
            request(4, concat(A, run(9, 4)), 2), request(5, concat(B, run(9, 4)), 2));

    @Test
    void fcfsKeepsTheInputOrder() {
        Plan plan = planner(10_000).plan(interleaved, PlanPolicy.FCFS);
        assertThat(plan.executionOrder()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(plan.groups()).hasSize(1);
        assertThat(plan.groups().getFirst().sharedPrefixTokens()).isZero();
    }

    @Test
    void prefixSortRunsRequestsSharingAPrefixTogether() {
        Plan plan = planner(10_000).plan(interleaved, PlanPolicy.PREFIX_SORT);
        assertThat(plan.executionOrder()).containsExactly(0, 2, 4, 1, 3, 5);
    }

    @Test
    void aGroupNeverHoldsMoreKvThanTheBudgetAndSplitsAtTheShallowestPrefix() {
        // each A group member needs 24 prompt + 2 output tokens; the prefix is counted once: 20 + 3 * 6 = 38 tokens
        Plan plan = planner(40).plan(interleaved, PlanPolicy.PREFIX_SORT);
        assertThat(plan.groups()).extracting(g -> List.of(g.requests()[0], g.size(), g.sharedPrefixTokens()))
                .containsExactly(List.of(0, 3, 20), List.of(1, 3, 20));
        assertThat(plan.groups()).allSatisfy(g -> assertThat(g.estimatedKvBytes()).isEqualTo(38 * 32L));
    }

    @Test
    void aSplitPrefixGroupTellsTheEngineWhichLaterGroupReusesItsPrefix() {
        Plan plan = planner(32).plan(interleaved, PlanPolicy.PREFIX_SORT);
        // 32 tokens hold a0 and a2 (20 + 2*6 = 32), then a4 alone, then b's
        assertThat(plan.groups()).extracting(PlanGroup::size).containsExactly(2, 1, 2, 1);
        assertThat(plan.groups().get(0).reusedBy()).containsExactly(new PrefixReuse(1, 20));
        assertThat(plan.groups().get(1).reusedBy()).isEmpty();
        assertThat(plan.groups().get(1).sharedPrefixTokens()).isEqualTo(24); // a group of one: its whole prompt
        assertThat(plan.groups().get(2).reusedBy()).containsExactly(new PrefixReuse(3, 20));
    }

    @Test
    void aSlidingWindowModelsGroupsCountOneWindowPerRequestInItsLocalLayers() {
        // TINY with its second layer windowed to 4 tokens: the 32-token budget (1,024 bytes) that split the A's above
        // now holds each prefix group whole: 38 tokens in the global layer, 3 windows of 4 in the local one
        ModelShape windowed = new ModelShape(2, 8, 2, 1, 4, 16, 10, 2.0, 2.0, 1, 4);
        BatchPlanner planner = new BatchPlanner(new CostModel(windowed, TestCosts.tiny(32).hardware()),
                TestCosts.limits(4, 64, 4));
        Plan plan = planner.plan(interleaved, PlanPolicy.PREFIX_SORT);
        assertThat(plan.groups()).extracting(PlanGroup::size).containsExactly(3, 3);
        assertThat(plan.groups()).allSatisfy(g -> assertThat(g.estimatedKvBytes()).isEqualTo(38 * 16L + 3 * 4 * 16L));
    }

    @Test
    void batchLlmStartsWithTheDecodeHeavyGroup() {
        List<Request> requests = List.of(
                request(0, concat(A, run(1, 4)), 1), request(1, concat(A, run(5, 4)), 1),
                request(2, concat(B, run(1, 4)), 50), request(3, concat(B, run(5, 4)), 50));
        Plan plan = planner(130).plan(requests, PlanPolicy.BATCHLLM); // A: 20 + 2 * 5 = 30 tokens, B: 20 + 2 * 54 = 128
        assertThat(plan.executionOrder()).containsExactly(2, 3, 0, 1);
        assertThat(plan.groups()).extracting(PlanGroup::prefixGroup).containsExactly(1, 0);
    }

    @Test
    void theBlendStartsFromTheMemoryHeavyEndAndAlternatesEnds() {
        // a: long prompts, one output token (compute-bound); b: short prompts, long outputs (memory-bound)
        List<Request> requests = List.of(
                request(0, concat(A, run(1, 40)), 1), request(1, concat(B, run(1, 2)), 60),
                request(2, concat(A, run(50, 40)), 1), request(3, concat(B, run(5, 2)), 60));
        Plan plan = new BatchPlanner(TestCosts.tiny(10_000), TestCosts.limits(4, 64, 4), 1).plan(requests, PlanPolicy.BLEND);
        int[] order = plan.executionOrder();
        assertThat(requests.get(order[0]).expectedOutputTokens()).hasValue(60);
        assertThat(requests.get(order[1]).expectedOutputTokens()).hasValue(1);
    }

    @Test
    void canopyPicksOneOfItsCandidatePlans() {
        BatchPlanner planner = planner(10_000);
        Plan canopy = planner.plan(interleaved, PlanPolicy.CANOPY);
        assertThat(canopy.policy()).isEqualTo(PlanPolicy.CANOPY);
        assertThat(List.of(PlanPolicy.BLEND, PlanPolicy.BATCHLLM, PlanPolicy.PREFIX_SORT))
                .anySatisfy(p -> assertThat(planner.plan(interleaved, p).groups()).isEqualTo(canopy.groups()));
    }

    @Test
    void anEmptyJobHasAnEmptyPlan() {
        assertThat(planner(100).plan(List.of(), PlanPolicy.CANOPY).groups()).isEmpty();
    }

    @Test
    void rejectsARequestThatCannotFitTheBudgetAlone() {
        assertThatThrownBy(() -> planner(25).plan(interleaved, PlanPolicy.PREFIX_SORT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot plan request 0 (id 0): its prompt (24 tokens) plus estimated output (2 tokens) need more KV"
                        + " than the budget of 800 bytes holds (25 tokens)");
    }

    @Test
    void rejectsATreeBuiltFromOtherRequests() {
        PrefixTree other = new PrefixTree();
        interleaved.forEach(r -> other.insert(r.tokens().clone()));
        assertThatThrownBy(() -> planner(100).plan(other, interleaved, PlanPolicy.FCFS, TestCosts.outputs(interleaved)))
                .hasMessage("Cannot plan: sequence 0 of the tree is not request 0's token array; build the tree with BatchPlanner.buildTree(requests)");
        assertThatThrownBy(() -> planner(100).plan(interleaved, PlanPolicy.FCFS, new int[] {1}))
                .hasMessage("Cannot plan: 1 output estimates for 6 requests");
    }

    private static BatchPlanner planner(long kvTokens) {
        return new BatchPlanner(TestCosts.tiny(kvTokens), TestCosts.limits(4, 64, 4));
    }
}
