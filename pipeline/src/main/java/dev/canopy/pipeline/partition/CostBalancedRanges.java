package dev.canopy.pipeline.partition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts the {@link PrefixKey} order into ranges of about equal estimated cost. Cuts fall between prefix groups,
 * so rows sharing a prefix land in one partition; only a group costing more than a partition's share is cut
 * inside (between tie-breaks), so that one huge group (a shared system prompt) still spreads over partitions.
 * Rows with equal keys never split.
 */
public final class CostBalancedRanges {

    /** A row's (or a sample's) key and estimated cost. */
    public record Weighted(PrefixKey key, long cost) {}

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
        List<PrefixKey> bounds = new ArrayList<>();
        double accumulated = 0;
        double groupInRange = 0; // cost of the current prefix group since its start or the last cut inside it
        for (int i = 0; i + 1 < sorted.size() && bounds.size() < partitions - 1; i++) {
            PrefixKey key = sorted.get(i).key();
            PrefixKey next = sorted.get(i + 1).key();
            accumulated += sorted.get(i).cost();
            groupInRange += sorted.get(i).cost();
            boolean reachedTarget = accumulated >= share * (bounds.size() + 1);
            boolean groupEnds = !next.samePrefix(key);
            boolean oversizedGroup = groupInRange >= share && !next.equals(key);
            if (reachedTarget && (groupEnds || oversizedGroup)) {
                bounds.add(key);
                groupInRange = 0;
            } else if (groupEnds) {
                groupInRange = 0;
            }
        }
        return List.copyOf(bounds);
    }
}
