package dev.canopy.pipeline.partition;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts the {@link PrefixKey} order into ranges of about equal estimated cost. Cuts fall between prefix groups
 * (at the group boundary nearest each range's target), so rows sharing a prefix land in one partition; only a group costing more than a partition's share is cut
 * inside (between tie-breaks), so that one huge group (a shared system prompt) still spreads over partitions.
 * Rows with equal keys never split.
 */
public final class CostBalancedRanges {

    /** A row's (or a sample's) key and estimated cost. */
    public record Weighted(PrefixKey key, long cost) implements Serializable {}

    private CostBalancedRanges() {}

    /**
     * Upper bounds (inclusive) of the first ranges; the last range is unbounded. At most {@code partitions - 1}
     * bounds; fewer when there are too few distinct keys.
     *
     * @param rows the rows, or a uniform sample of them
     */
    public static List<PrefixKey> bounds(List<Weighted> rows, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("Cannot cut ranges: partitions must be >= 1, got " + partitions);
        }
        List<Weighted> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(Weighted::key));
        double total = sorted.stream().mapToLong(Weighted::cost).sum();
        double share = total / partitions;
        long[] nextGroupCost = nextGroupCosts(sorted); // (rows,) cost of the group after row i when i ends a group
        List<PrefixKey> bounds = new ArrayList<>();
        double accumulated = 0;
        double groupInRange = 0; // cost of the current prefix group since its start or the last cut inside it
        for (int i = 0; i + 1 < sorted.size() && bounds.size() < partitions - 1; i++) {
            PrefixKey key = sorted.get(i).key();
            PrefixKey next = sorted.get(i + 1).key();
            accumulated += sorted.get(i).cost();
            groupInRange += sorted.get(i).cost();
            double target = share * (bounds.size() + 1);
            boolean groupEnds = !next.samePrefix(key);
            // at a group's end, cut when the range is nearer its target here than after the next group
            boolean cutAtGroupEnd = groupEnds && accumulated + nextGroupCost[i] / 2.0 >= target;
            boolean cutInsideGroup = accumulated >= target && groupInRange >= share && !next.equals(key);
            if (cutAtGroupEnd || cutInsideGroup) {
                bounds.add(key);
                groupInRange = 0;
            } else if (groupEnds) {
                groupInRange = 0;
            }
        }
        return List.copyOf(bounds);
    }

    /** For each row that ends a prefix group, the cost of the group that follows it; 0 elsewhere. */
    private static long[] nextGroupCosts(List<Weighted> sorted) {
        long[] next = new long[sorted.size()];
        long current = 0; // cost of the group being scanned, backwards
        for (int i = sorted.size() - 1; i >= 0; i--) {
            current += sorted.get(i).cost();
            boolean startsGroup = i == 0 || !sorted.get(i - 1).key().samePrefix(sorted.get(i).key());
            if (startsGroup) {
                if (i > 0) {
                    next[i - 1] = current;
                }
                current = 0;
            }
        }
        return next;
    }
}
