package dev.canopy.prefixtree;

import static dev.canopy.prefixtree.TestCosts.concat;
import static dev.canopy.prefixtree.TestCosts.request;
import static dev.canopy.prefixtree.TestCosts.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlansTest {

    private final List<Request> requests = List.of(
            request(0, concat(run(100, 32), run(1, 8)), 3), request(1, run(700, 20), 9),
            request(2, concat(run(100, 32), run(20, 8)), 3), request(3, run(800, 12), 1));

    @Test
    void summarizesEveryPolicyWithItsSimulatedRun() {
        PlanSummary summary = Plans.summary(requests, TestCosts.tiny(1000), TestCosts.limits(2, 64, 16));

        assertThat(summary.policies()).extracting(PolicySummary::policy).containsExactly(PlanPolicy.values());
        assertThat(summary.requests()).isEqualTo(4);
        assertThat(summary.promptTokens()).isEqualTo(40 + 20 + 40 + 12);
        assertThat(summary.distinctPromptTokens()).isEqualTo(40 + 20 + 8 + 12);
        assertThat(summary.idealPrefixSaving()).isEqualTo(1 - 80.0 / 112);
        PolicySummary prefixSort = summary.policy(PlanPolicy.PREFIX_SORT);
        assertThat(prefixSort.prefixSaving()).isEqualTo(32.0 / 112);
        assertThat(summary.policy(PlanPolicy.CANOPY).estimatedSeconds()).isLessThanOrEqualTo(prefixSort.estimatedSeconds());
    }

    @Test
    void printsAsATableAndAsJson() {
        PlanSummary summary = Plans.summary(requests, TestCosts.tiny(1000), TestCosts.limits(2, 64, 16));

        assertThat(summary.toText()).startsWith("4 requests, 112 prompt tokens (80 distinct, ideal prefix saving 28.6%) on tiny")
                .contains("policy", "PREFIX_SORT", "CANOPY", "1.00x");
        assertThat(summary.toString()).isEqualTo(summary.toText());
        assertThat(summary.toJson()).startsWith("{\"requests\":4,\"promptTokens\":112,\"distinctPromptTokens\":80,\"hardware\":\"tiny\",\"policies\":[{\"policy\":\"FCFS\"")
                .endsWith("}]}")
                .contains("\"policy\":\"CANOPY\",\"groups\":");
    }
}
