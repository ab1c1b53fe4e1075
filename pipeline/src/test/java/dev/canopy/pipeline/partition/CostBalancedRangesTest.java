package dev.canopy.pipeline.partition;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class CostBalancedRangesTest {

    private static PrefixKey key(int first, long tieBreak) {
        return PrefixKey.of(new int[] {1, first, 7}, 2, tieBreak);
    }

    @Test
    void groupsStayWholeAndPartitionsCarryAboutEqualCost() {
        List<CostBalancedRanges.Weighted> rows = new ArrayList<>();
        for (int group = 0; group < 12; group++) {
            for (int r = 0; r < 10; r++) {
                rows.add(new CostBalancedRanges.Weighted(key(group, r), 10));
            }
        }
        PrefixRangePartitioner partitioner = new PrefixRangePartitioner(CostBalancedRanges.bounds(rows, 4));

        Map<Integer, Long> costs = new HashMap<>();
        Map<Integer, Set<Integer>> partitionsOfGroup = new HashMap<>();
        for (CostBalancedRanges.Weighted row : rows) {
            int p = partitioner.getPartition(row.key());
            costs.merge(p, row.cost(), Long::sum);
            partitionsOfGroup.computeIfAbsent(row.key().tokens()[1], g -> new java.util.HashSet<>()).add(p);
        }

        assertThat(partitioner.numPartitions()).isEqualTo(4);
        assertThat(costs.values()).containsOnly(300L);
        assertThat(partitionsOfGroup.values()).allMatch(s -> s.size() == 1);
    }

    @Test
    void twoGroupsOfUnequalCostGoToTwoPartitions() {
        List<CostBalancedRanges.Weighted> rows = new ArrayList<>();
        for (int r = 0; r < 9; r++) {
            rows.add(new CostBalancedRanges.Weighted(key(1, r), 5)); // 45: below half of the total
        }
        for (int r = 0; r < 11; r++) {
            rows.add(new CostBalancedRanges.Weighted(key(2, r), 5)); // 55
        }

        assertThat(CostBalancedRanges.bounds(rows, 2)).containsExactly(key(1, 8));
    }

    @Test
    void aGroupCostingMoreThanAShareIsSpreadOverPartitions() {
        List<CostBalancedRanges.Weighted> rows = new ArrayList<>();
        for (int r = 0; r < 100; r++) {
            rows.add(new CostBalancedRanges.Weighted(key(5, r), 1)); // one shared system prompt
        }
        PrefixRangePartitioner partitioner = new PrefixRangePartitioner(CostBalancedRanges.bounds(rows, 4));

        Map<Integer, Long> rowsPerPartition = rows.stream().collect(Collectors.groupingBy(
                r -> partitioner.getPartition(r.key()), Collectors.counting()));

        assertThat(rowsPerPartition).hasSize(4);
        assertThat(rowsPerPartition.values()).allMatch(n -> n >= 24 && n <= 26);
    }

    @Test
    void rowsWithEqualKeysAreNeverSplit() {
        List<CostBalancedRanges.Weighted> rows = new ArrayList<>();
        for (int r = 0; r < 50; r++) {
            rows.add(new CostBalancedRanges.Weighted(key(3, 42), 1)); // duplicates of one id
        }

        assertThat(CostBalancedRanges.bounds(rows, 5)).isEmpty();
    }
}
