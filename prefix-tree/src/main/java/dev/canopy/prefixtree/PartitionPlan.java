package dev.canopy.prefixtree;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Spark partitioning of a job's prefix groups: contiguous ranges of groups per partition, big
 * groups split over neighbouring partitions.
 *
 * @param partitions number of partitions
 * @param placements one entry per prefix group, in the order the groups were given
 * @param partitionCosts (partitions) estimated cost of each partition, recomputed prefixes included
 */
public record PartitionPlan(int partitions, List<GroupPlacement> placements, double[] partitionCosts) {

    public PartitionPlan {
        placements = List.copyOf(placements);
        partitionCosts = partitionCosts.clone();
        if (partitionCosts.length != partitions) {
            throw new IllegalArgumentException("Cannot create partition plan: " + partitionCosts.length + " costs for " + partitions + " partitions");
        }
    }

    @Override
    public double[] partitionCosts() {
        return partitionCosts.clone();
    }

    /** An index from prefix key to placement, for a Spark {@code Partitioner} to broadcast. */
    public Map<Long, GroupPlacement> byKey() {
        Map<Long, GroupPlacement> index = new HashMap<>();
        for (GroupPlacement placement : placements) {
            index.put(placement.key(), placement);
        }
        return index;
    }

    /** Largest partition cost over the mean: 1.0 is perfect balance. */
    public double imbalance() {
        double max = 0;
        double sum = 0;
        for (double c : partitionCosts) {
            max = Math.max(max, c);
            sum += c;
        }
        return sum == 0 ? 1.0 : max / (sum / partitions);
    }

    /** Prefix computations beyond one per group: one for every extra part of a split group. */
    public int extraPrefixComputations() {
        int extra = 0;
        for (GroupPlacement placement : placements) {
            extra += placement.parts().size() - 1;
        }
        return extra;
    }
}
