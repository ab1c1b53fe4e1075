package dev.canopy.prefixtree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Random workloads, budgets and engine limits: invariants every policy's plan must keep. */
class BatchPlannerPropertyTest {

    static IntStream seeds() {
        return IntStream.range(0, 40);
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void everyPlanCoversEachRequestOnceFitsTheBudgetAndIsDeterministic(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Request> requests = TestCosts.randomWorkload(random, 1 + random.nextInt(150));
        int[] outputs = TestCosts.outputs(requests);
        long largest = 0;
        for (int r = 0; r < requests.size(); r++) {
            largest = Math.max(largest, requests.get(r).promptLength() + outputs[r]);
        }
        int blockTokens = 1 + random.nextInt(16);
        long kvTokens = (largest + blockTokens) + random.nextInt(3000);
        int maxSequences = 1 + random.nextInt(16);
        EngineLimits limits = new EngineLimits(maxSequences, maxSequences + random.nextInt(200), blockTokens,
                random.nextBoolean() ? PrefillPacing.FILL_BUDGET : PrefillPacing.BALANCED);
        CostModel cost = TestCosts.tiny(kvTokens);
        long budgetBytes = cost.hardware().kvBudgetBytes();

        for (PlanPolicy policy : PlanPolicy.values()) {
            Plan plan = new BatchPlanner(cost, limits, 1 + random.nextInt(8)).plan(requests, policy);
            int[] order = plan.executionOrder();
            Arrays.sort(order);
            assertThat(order).as("%s covers every request once", policy).containsExactly(IntStream.range(0, requests.size()).toArray());
            assertThat(plan.groups()).allSatisfy(g -> assertThat(g.estimatedKvBytes()).isLessThanOrEqualTo(budgetBytes));
            assertReuseListsNameTheNextReader(requests, plan);

            SimulationResult result = new PlanSimulator(cost, limits).simulate(requests, plan, outputs);
            assertThat(result.peakResidentKvBytes()).as("%s resident KV", policy).isLessThanOrEqualTo(budgetBytes);
            assertThat(result.peakKvBytes()).isLessThanOrEqualTo(result.peakResidentKvBytes());
            // each preemption recomputes at most one request's prompt and output
            assertThat(result.prefillTokens()).isBetween(0L, result.promptTokens() + result.preemptions() * largest);
            assertThat(result.outputTokens()).isEqualTo(Arrays.stream(outputs).asLongStream().sum());
        }
    }

    @ParameterizedTest
    @MethodSource("seeds")
    void theSameInputGivesTheSamePlan(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Request> requests = TestCosts.randomWorkload(random, 1 + random.nextInt(150));
        List<Request> copies = new ArrayList<>();
        for (Request r : requests) {
            copies.add(new Request(r.id(), r.tokens().clone(), r.maxTokens(), r.expectedOutputTokens()));
        }
        CostModel cost = TestCosts.tiny(20_000);
        EngineLimits limits = TestCosts.limits(8, 64, 4);
        for (PlanPolicy policy : PlanPolicy.values()) {
            assertThat(new BatchPlanner(cost, limits).plan(copies, policy)).isEqualTo(new BatchPlanner(cost, limits).plan(requests, policy));
        }
    }

    /**
     * Brute force: for every position {@code d} of a group's prefix, the first later group with a
     * request sharing more than {@code d} tokens of it must be the first reuse entry covering {@code d}.
     */
    private static void assertReuseListsNameTheNextReader(List<Request> requests, Plan plan) {
        List<PlanGroup> groups = plan.groups();
        for (int g = 0; g < groups.size(); g++) {
            int[] prefix = Arrays.copyOf(requests.get(groups.get(g).request(0)).tokens(), groups.get(g).sharedPrefixTokens());
            for (int d = 0; d < prefix.length; d++) {
                int expected = -1;
                for (int h = g + 1; h < groups.size() && expected < 0; h++) {
                    for (int i = 0; i < groups.get(h).size(); i++) {
                        if (commonPrefix(prefix, requests.get(groups.get(h).request(i)).tokens()) > d) {
                            expected = h;
                            break;
                        }
                    }
                }
                int position = d;
                int actual = groups.get(g).reusedBy().stream().filter(u -> u.sharedTokens() > position).mapToInt(PrefixReuse::group).findFirst().orElse(-1);
                assertThat(actual).as("next reader of token %d of group %d", d, g).isEqualTo(expected);
            }
        }
    }

    private static int commonPrefix(int[] a, int[] b) {
        int n = Math.min(a.length, b.length);
        int k = 0;
        while (k < n && a[k] == b[k]) {
            k++;
        }
        return k;
    }
}
