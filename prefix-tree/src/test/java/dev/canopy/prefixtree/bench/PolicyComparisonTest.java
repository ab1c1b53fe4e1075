package dev.canopy.prefixtree.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.prefixtree.CostModel;
import dev.canopy.prefixtree.PlanPolicy;
import dev.canopy.prefixtree.PlanSummary;
import dev.canopy.prefixtree.Plans;
import dev.canopy.prefixtree.PrefillPacing;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The simulation table's claims, on the synthetic workloads at a size a unit test affords. */
class PolicyComparisonTest {

    private static final int REQUESTS = 3000;
    private static final CostModel COST = BenchProfiles.h100Llama8b();
    private static final Map<String, PlanSummary> SUMMARIES = new ConcurrentHashMap<>();

    @ParameterizedTest
    @EnumSource(PrefillPacing.class)
    void canopyBeatsFcfsByAFifthOnTheMixedWorkload(PrefillPacing pacing) {
        PlanSummary mixed = summary(SyntheticWorkloads.mixed(REQUESTS, 1), pacing);
        double speedup = mixed.policy(PlanPolicy.FCFS).estimatedSeconds() / mixed.policy(PlanPolicy.CANOPY).estimatedSeconds();
        assertThat(speedup).as(mixed.toText()).isGreaterThanOrEqualTo(1.2);
    }

    @ParameterizedTest
    @EnumSource(PrefillPacing.class)
    void canopyIsNeverSlowerThanPrefixSort(PrefillPacing pacing) {
        for (Workload workload : threeWorkloads()) {
            PlanSummary summary = summary(workload, pacing);
            assertThat(summary.policy(PlanPolicy.CANOPY).estimatedSeconds()).as(workload.name() + "\n" + summary.toText())
                    .isLessThanOrEqualTo(summary.policy(PlanPolicy.PREFIX_SORT).estimatedSeconds());
        }
    }

    @ParameterizedTest
    @EnumSource(PrefillPacing.class)
    void canopySavesAtLeastAsMuchPrefillAsFcfs(PrefillPacing pacing) {
        for (Workload workload : threeWorkloads()) {
            PlanSummary summary = summary(workload, pacing);
            assertThat(summary.policy(PlanPolicy.CANOPY).prefixSaving()).as(workload.name() + "\n" + summary.toText())
                    .isGreaterThan(summary.policy(PlanPolicy.FCFS).prefixSaving() - 1e-9);
        }
    }

    @ParameterizedTest
    @EnumSource(value = PrefillPacing.class, names = "BALANCED")
    void blendingItselfPaysOnTheMixedWorkloadWhenStepsArePaced(PrefillPacing pacing) {
        PlanSummary mixed = summary(SyntheticWorkloads.mixed(REQUESTS, 1), pacing);
        assertThat(mixed.policy(PlanPolicy.BLEND).estimatedSeconds()).as(mixed.toText())
                .isLessThan(0.95 * mixed.policy(PlanPolicy.PREFIX_SORT).estimatedSeconds());
        assertThat(mixed.policy(PlanPolicy.BLEND).computeUtilization()).isGreaterThan(mixed.policy(PlanPolicy.PREFIX_SORT).computeUtilization());
    }

    /** Summaries are shared between the tests: planning and simulating is the slow part. */
    /** Heavy sharing, no sharing and mixed, each of {@code REQUESTS} requests. */
    private static List<Workload> threeWorkloads() {
        return List.of(SyntheticWorkloads.heavySharing(REQUESTS, 1), SyntheticWorkloads.noSharing(REQUESTS, 1),
                SyntheticWorkloads.mixed(REQUESTS, 1));
    }

    private static PlanSummary summary(Workload workload, PrefillPacing pacing) {
        return SUMMARIES.computeIfAbsent(workload.name() + "/" + pacing,
                key -> Plans.summary(workload.requests(), COST, BenchProfiles.vllmLike(pacing), workload.outputTokens()));
    }
}
