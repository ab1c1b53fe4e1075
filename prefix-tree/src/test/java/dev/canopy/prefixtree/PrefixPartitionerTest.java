package dev.canopy.prefixtree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrefixPartitionerTest {

    @Test
    void rowsSharingTheFirstTokensShareAKey() {
        int[] a = {5, 6, 7, 8};
        int[] b = {5, 6, 7, 9};
        assertThat(PrefixPartitioner.prefixKey(a, 3)).isEqualTo(PrefixPartitioner.prefixKey(b, 3));
        assertThat(PrefixPartitioner.prefixKey(a, 4)).isNotEqualTo(PrefixPartitioner.prefixKey(b, 4));
        assertThat(PrefixPartitioner.prefixKey(new int[] {5, 6}, 10)).isEqualTo(PrefixPartitioner.prefixKey(a, 2));
        assertThat(PrefixPartitioner.prefixKey(a, 0)).isEqualTo(PrefixPartitioner.prefixKey(b, 0));
        assertThat(PrefixPartitioner.prefixKey(a, 3)).isEqualTo(709_564_312_744_260_339L); // stable across runs and JVMs
        assertThatThrownBy(() -> PrefixPartitioner.prefixKey(a, -1)).hasMessage("Cannot compute prefix key: depth is -1; it must be >= 0");
    }

    @Test
    void groupsThatFitStayWholeAndBalanceAcrossPartitions() {
        List<PrefixGroupCost> groups = List.of(
                new PrefixGroupCost(1, 10, 5, 20), new PrefixGroupCost(2, 10, 5, 20),
                new PrefixGroupCost(3, 10, 5, 20), new PrefixGroupCost(4, 10, 5, 20));
        PartitionPlan plan = PrefixPartitioner.assign(groups, 2, 1);

        assertThat(plan.placements()).extracting(p -> p.parts().size()).containsOnly(1);
        assertThat(plan.placements()).extracting(p -> p.parts().getFirst().partition()).containsExactly(0, 0, 1, 1);
        assertThat(plan.partitionCosts()).containsExactly(50, 50);
        assertThat(plan.imbalance()).isEqualTo(1.0);
        assertThat(plan.extraPrefixComputations()).isZero();
    }

    @Test
    void aGroupTooBigForOnePartitionIsSplitAtARowBlockAndEachPartPaysThePrefix() {
        List<PrefixGroupCost> groups = List.of(new PrefixGroupCost(7, 100, 10, 100), new PrefixGroupCost(8, 10, 0, 10));
        PartitionPlan plan = PrefixPartitioner.assign(groups, 2, 8);

        GroupPlacement big = plan.byKey().get(7L);
        assertThat(big.parts()).containsExactly(new PartRange(0, 0, 48), new PartRange(1, 48, 52));
        assertThat(big.partitionOf(47)).isZero();
        assertThat(big.partitionOf(48)).isEqualTo(1);
        assertThat(plan.partitionCosts()).containsExactly(58, 72);
        assertThat(plan.extraPrefixComputations()).isEqualTo(1);
        assertThatThrownBy(() -> big.partitionOf(100)).hasMessage("Cannot place row 100 of prefix key 7: the group has rows 0..99");
    }

    @Test
    void randomGroupsAreCoveredExactlyAndNoPartitionExceedsItsShareByMoreThanOneGroup() {
        SplittableRandom random = new SplittableRandom(11);
        for (int trial = 0; trial < 200; trial++) {
            List<PrefixGroupCost> groups = new ArrayList<>();
            int n = 1 + random.nextInt(60);
            double biggest = 0;
            for (int g = 0; g < n; g++) {
                long rows = 1 + random.nextLong(random.nextInt(10) == 0 ? 5000 : 50);
                PrefixGroupCost group = new PrefixGroupCost(g, rows, random.nextDouble() * 20, rows * random.nextDouble());
                groups.add(group);
                biggest = Math.max(biggest, group.totalCost());
            }
            int partitions = 1 + random.nextInt(16);
            PartitionPlan plan = PrefixPartitioner.assign(groups, partitions, 1 + random.nextInt(4));

            double placed = 0;
            for (double c : plan.partitionCosts()) {
                placed += c;
            }
            for (int g = 0; g < n; g++) {
                GroupPlacement placement = plan.placements().get(g);
                long next = 0;
                int lastPartition = -1;
                for (PartRange part : placement.parts()) {
                    assertThat(part.firstRow()).isEqualTo(next);
                    assertThat(part.partition()).isGreaterThan(lastPartition).isLessThan(partitions);
                    next += part.rowCount();
                    lastPartition = part.partition();
                }
                assertThat(next).isEqualTo(groups.get(g).rows());
            }
            double share = placed / partitions;
            for (double c : plan.partitionCosts()) {
                assertThat(c).as("%s over %d partitions, biggest %s: %s", groups, partitions, biggest, java.util.Arrays.toString(plan.partitionCosts())).isLessThanOrEqualTo(share + biggest + 1e-9);
            }
            double expected = groups.stream().mapToDouble(PrefixGroupCost::totalCost).sum();
            for (GroupPlacement p : plan.placements()) {
                expected += (p.parts().size() - 1) * groups.get((int) p.key()).prefixCost();
            }
            assertThat(placed).isCloseTo(expected, within(1e-6 * Math.max(1, expected)));
        }
    }

    @Test
    void rejectsDuplicateKeysAndBadCounts() {
        assertThatThrownBy(() -> PrefixPartitioner.assign(List.of(new PrefixGroupCost(3, 1, 0, 1), new PrefixGroupCost(3, 2, 0, 1)), 2, 1))
                .hasMessage("Cannot partition: prefix key 3 appears in more than one group");
        assertThatThrownBy(() -> PrefixPartitioner.assign(List.of(), 0, 1))
                .hasMessage("Cannot partition: partitions 0 and rowBlock 1 must be >= 1");
        assertThatThrownBy(() -> new PrefixGroupCost(3, 0, 0, 1))
                .hasMessage("Cannot create prefix group cost for key 3: rows is 0; it must be >= 1");
    }
}
