package dev.canopy.prefixtree;

import static dev.canopy.prefixtree.TestCosts.concat;
import static dev.canopy.prefixtree.TestCosts.request;
import static dev.canopy.prefixtree.TestCosts.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanSimulatorTest {

    private static final int[] PREFIX = run(100, 32); // two full 16-token blocks

    @Test
    void oneRequestPrefillsThenDecodesOneTokenAStep() {
        List<Request> requests = List.of(request(0, run(100, 32), 3));
        SimulationResult result = simulate(requests, PlanPolicy.FCFS, 10_000, TestCosts.limits(4, 64, 16));

        assertThat(result.steps()).isEqualTo(3);
        assertThat(result.prefillTokens()).isEqualTo(32);
        assertThat(result.outputTokens()).isEqualTo(3);
        // prefill: compute-bound 107.68 s; two decodes reading 32 and 33 cached tokens: memory-bound 35.2 s and 35.52 s
        assertThat(result.seconds()).isCloseTo(107.68 + 35.2 + 35.52 + 3 * 0.5, within(1e-9));
        assertThat(result.peakKvBytes()).isEqualTo(3 * 16 * 32); // 35 tokens reserved in 16-token blocks
    }

    @Test
    void aCachedPrefixIsComputedOnce() {
        List<Request> requests = List.of(request(0, concat(PREFIX, run(1, 8)), 1), request(1, concat(PREFIX, run(20, 8)), 1));
        SimulationResult result = simulate(requests, PlanPolicy.FCFS, 10_000, TestCosts.limits(1, 64, 16));

        assertThat(result.prefillTokens()).isEqualTo(40 + 8);
        assertThat(result.prefixSaving()).isCloseTo(32.0 / 80, within(1e-12));
    }

    @Test
    void interleavingAnUnrelatedRequestEvictsThePrefixFromABoundedCache() {
        Request first = request(0, concat(PREFIX, run(1, 8)), 1);
        Request unrelated = request(1, run(900, 50), 1); // needs all four blocks of the budget
        Request second = request(2, concat(PREFIX, run(20, 8)), 1);
        EngineLimits oneAtATime = TestCosts.limits(1, 64, 16);

        assertThat(simulate(List.of(first, unrelated, second), PlanPolicy.FCFS, 64, oneAtATime).prefillTokens()).isEqualTo(40 + 50 + 40);
        assertThat(simulate(List.of(first, second, unrelated), PlanPolicy.FCFS, 64, oneAtATime).prefillTokens()).isEqualTo(40 + 8 + 50);
        assertThat(simulate(List.of(first, unrelated, second), PlanPolicy.PREFIX_SORT, 64, oneAtATime).prefillTokens()).isEqualTo(40 + 8 + 50);
    }

    @Test
    void aRequestWaitsForAPrefixAnotherSequenceIsStillComputing() {
        // step 1: the unrelated prompt takes 56 of 64 tokens, the first PREFIX prompt gets 8, the second must wait;
        // step 2: the first finishes its prefix (32 tokens); its blocks are named once the step is done, as the
        // scheduler names them after the forward pass, so the second still waits; step 3: it reuses the prefix and
        // computes only its 8
        List<Request> requests = List.of(request(0, run(900, 56), 1),
                request(1, concat(PREFIX, run(1, 8)), 1), request(2, concat(PREFIX, run(20, 8)), 1));
        SimulationResult result = simulate(requests, PlanPolicy.FCFS, 10_000, TestCosts.limits(3, 64, 16));

        assertThat(result.prefillTokens()).isEqualTo(56 + 40 + 8);
        assertThat(result.steps()).isEqualTo(3);
    }

    @Test
    void decodeGrowsBlocksAndPreemptsTheNewestWhenThePoolRunsOut() {
        // a pool of 4 blocks of 16; each request takes 1 block at admission and a second at its first decode; at
        // step 18 the first needs a third: the second is preempted, keeping its 17 tokens, and is admitted again
        // once the first finishes (step 21): its first block is still cached, it recomputes the other 17 tokens
        List<Request> requests = List.of(request(0, run(100, 16), 20), request(1, run(200, 16), 20));
        List<Integer> admitted = new ArrayList<>();
        CostModel cost = TestCosts.tiny(64);
        EngineLimits limits = TestCosts.limits(2, 64, 16);
        Plan plan = new BatchPlanner(cost, limits).plan(requests, PlanPolicy.FCFS);
        SimulationResult result = new PlanSimulator(cost, limits).simulate(BatchPlanner.buildTree(requests), requests,
                plan, TestCosts.outputs(requests), admitted::add);

        assertThat(admitted).containsExactly(0, 1, 1);
        assertThat(result.preemptions()).isEqualTo(1);
        assertThat(result.steps()).isEqualTo(23);
        assertThat(result.prefillTokens()).isEqualTo(16 + 16 + 17);
        assertThat(result.peakKvBytes()).isEqualTo(4 * 16 * 32);
    }

    @Test
    void balancedPacingHidesPrefillUnderTheDecodesMemoryTime() {
        // the long prompt arrives while the first request decodes; filling 16-token steps makes them compute-bound
        List<Request> requests = List.of(request(0, run(1, 8), 40), request(1, run(500, 64), 1));
        EngineLimits fill = TestCosts.limits(2, 16, 16);
        EngineLimits balanced = new EngineLimits(2, 16, 16, PrefillPacing.BALANCED);

        SimulationResult filled = simulate(requests, PlanPolicy.FCFS, 10_000, fill);
        SimulationResult paced = simulate(requests, PlanPolicy.FCFS, 10_000, balanced);
        assertThat(paced.seconds()).isLessThan(filled.seconds());
        assertThat(paced.prefillTokens()).isEqualTo(filled.prefillTokens());
        assertThat(paced.outputTokens()).isEqualTo(41);
        assertThat(paced.computeSeconds()).isCloseTo(filled.computeSeconds(), within(1e-6));
    }

    @Test
    void rejectsARequestLargerThanTheWholeCache() {
        List<Request> requests = List.of(request(0, run(1, 60), 10));
        Plan plan = new Plan(PlanPolicy.FCFS, List.of(new PlanGroup(0, new int[] {0}, 60, 0, List.of())), 1);
        PlanSimulator simulator = new PlanSimulator(TestCosts.tiny(64), TestCosts.limits(1, 64, 16));
        assertThatThrownBy(() -> simulator.simulate(requests, plan, new int[] {10}))
                .hasMessage("Cannot simulate request 0: it needs 5 KV blocks for its prompt and output, more than the 4 the budget holds");
        assertThatThrownBy(() -> simulator.simulate(requests, plan, new int[] {0}))
                .hasMessage("Cannot simulate: request 0 produces 0 tokens; it must be >= 1");
    }

    private static SimulationResult simulate(List<Request> requests, PlanPolicy policy, long kvTokens, EngineLimits limits) {
        CostModel cost = TestCosts.tiny(kvTokens);
        Plan plan = new BatchPlanner(cost, limits).plan(requests, policy);
        return new PlanSimulator(cost, limits).simulate(requests, plan, TestCosts.outputs(requests));
    }
}
