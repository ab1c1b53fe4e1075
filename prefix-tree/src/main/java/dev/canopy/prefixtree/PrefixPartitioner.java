package dev.canopy.prefixtree;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Spark-side helpers: a prefix key to group rows by, and a range partitioning of prefix groups that
 * keeps each group in one partition (so its prefix is computed once there) and balances the
 * estimated cost across partitions.
 */
public final class PrefixPartitioner {

    private PrefixPartitioner() {
    }

    /**
     * A 64-bit key of the first {@code depth} tokens (all of them when the prompt is shorter): rows
     * with equal keys share that prefix (up to hash collisions, which only cost balance, never
     * correctness). Stable across JVMs and runs.
     */
    public static long prefixKey(int[] tokens, int depth) {
        Objects.requireNonNull(tokens, "tokens");
        if (depth < 0) {
            throw new IllegalArgumentException("Cannot compute prefix key: depth is " + depth + "; it must be >= 0");
        }
        int n = Math.min(depth, tokens.length);
        long h = 0xCBF29CE484222325L ^ n; // FNV-1a offset basis, salted with the length taken
        for (int i = 0; i < n; i++) {
            h ^= tokens[i] & 0xFFFF_FFFFL;
            h *= 0x100000001B3L;
        }
        h ^= h >>> 33; // murmur3 finalizer: spread the bits
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    /**
     * Cuts {@code groups}, in the given order (sort them by a shallower key first to keep related
     * groups together), into {@code partitions} contiguous ranges of about equal cost. A group that
     * fits a partition stays whole: it goes where more than half of it fits, else opens the next
     * partition. A group costing more than a partition's share is split over consecutive partitions at
     * multiples of {@code rowBlock} rows, each part paying the prefix again.
     */
    public static PartitionPlan assign(List<PrefixGroupCost> groups, int partitions, int rowBlock) {
        Objects.requireNonNull(groups, "groups");
        if (partitions < 1 || rowBlock < 1) {
            throw new IllegalArgumentException("Cannot partition: partitions " + partitions + " and rowBlock " + rowBlock + " must be >= 1");
        }
        requireUniqueKeys(groups);
        RangeFiller filler = new RangeFiller(partitions, groups.stream().mapToDouble(PrefixGroupCost::totalCost).sum());
        List<GroupPlacement> placements = new ArrayList<>(groups.size());
        for (PrefixGroupCost group : groups) {
            placements.add(new GroupPlacement(group.key(), filler.place(group, rowBlock)));
        }
        return new PartitionPlan(partitions, placements, filler.costs());
    }

    private static void requireUniqueKeys(List<PrefixGroupCost> groups) {
        Set<Long> seen = new HashSet<>();
        for (PrefixGroupCost group : groups) {
            if (!seen.add(group.key())) {
                throw new IllegalArgumentException("Cannot partition: prefix key " + group.key() + " appears in more than one group");
            }
        }
    }
}
