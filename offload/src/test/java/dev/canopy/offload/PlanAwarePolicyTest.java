package dev.canopy.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PlanAwarePolicyTest {

    private final NextUsePlan plan = new NextUsePlan();
    private final PlanAwarePolicy policy = new PlanAwarePolicy(plan);

    private static BlockKey k(int i) {
        return new BlockKey(1, i);
    }

    @Test
    void theBlockUsedFurthestInTheFutureIsEvictedFirst() {
        plan.setNextUse(k(0), 30);
        plan.setNextUse(k(1), 10);
        plan.setNextUse(k(2), 20);
        for (int i = 0; i < 3; i++) {
            policy.onInsert(k(i));
        }
        assertThat(policy.victim(key -> true)).contains(k(0));
        assertThat(policy.victim(key -> !key.equals(k(0)))).contains(k(2));
    }

    @Test
    void planChangesReorderResidentBlocks() {
        plan.setNextUse(k(0), 30);
        plan.setNextUse(k(1), 10);
        policy.onInsert(k(0));
        policy.onInsert(k(1));

        plan.setNextUse(k(0), 5); // block 0 is now needed first
        assertThat(policy.victim(key -> true)).contains(k(1));
        plan.forget(k(1));
        assertThat(policy.victim(key -> true)).contains(k(1));
    }

    @Test
    void blocksWithNoFutureUseGoFirstAndAreNotWorthWriting() {
        plan.setNextUse(k(0), 1_000);
        policy.onInsert(k(0));
        policy.onInsert(k(1)); // unknown: kept, but before any planned block
        policy.onInsert(k(2));
        plan.setNoFutureUse(k(2));

        assertThat(policy.victim(key -> true)).contains(k(2));
        assertThat(policy.hasFutureUse(k(2))).isFalse();
        assertThat(policy.hasFutureUse(k(1))).isTrue();
        policy.onRemove(k(2));
        assertThat(policy.victim(key -> true)).contains(k(1));
        assertThat(plan.nextUse(k(0))).hasValue(1_000);
        assertThat(plan.nextUse(k(1))).isEmpty();
        assertThat(plan.nextUse(k(2))).isEmpty();
    }

    @Test
    void equalNextUsesLeaveLeastRecentlyUsedFirst() {
        for (int i = 0; i < 3; i++) {
            plan.setNextUse(k(i), 7);
            policy.onInsert(k(i));
        }
        policy.onAccess(k(0));
        assertThat(policy.victim(key -> true)).contains(k(1));
    }

    @Test
    void anIncomingBlockNeededLaterThanAResidentOneShouldLeaveFirst() {
        plan.setNextUse(k(0), 10);
        plan.setNextUse(k(1), 20);
        assertThat(policy.evictsBefore(k(1), k(0))).isTrue();
        assertThat(policy.evictsBefore(k(0), k(1))).isFalse();
        assertThat(policy.evictsBefore(k(0), k(0))).isFalse();
    }

    @Test
    void stepsAreChecked() {
        assertThatThrownBy(() -> plan.setNextUse(k(0), -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot plan block 1/0: step must be in [0, " + NextUsePlan.MAX_STEP + "], got -1");
    }
}
