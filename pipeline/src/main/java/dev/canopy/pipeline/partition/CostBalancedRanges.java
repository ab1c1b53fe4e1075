package dev.canopy.pipeline.partition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts the prefix-key order into ranges of about equal estimated cost. Rows with equal keys always fall in
 * the same range, so a group of rows sharing a prefix is never split.
 */
public final class CostBalancedRanges {

    /** A row's (or a sample's) key and estimated cost. */
    public record Weighted(PrefixKey key, long cost) {}

    private CostBalancedRanges() {}

    /**
     * Upper bounds (inclusive) of the first {@code partitions - 1} ranges; the last range is unbounded.
     * Fewer bounds come back when there are fewer distinct keys than partitions.
     *
     * @param rows the rows, or a uniform sample of them
     */
    public static List<PrefixKey> bounds(List<Weighted> rows, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("Cannot cut ranges: partitions must be >= 1, got " + partitions);
        }
        List<Weighted> sorted = new ArrayList<>(rows);
        sorted.sort(Comparator.comparing(Weighted::key));
        long total = sorted.stream().mapToLong(Weighted::cost).sum();
        List<PrefixKey> bounds = new ArrayList<>();
        long accumulated = 0;
        for (int i = 0; i < sorted.size() && bounds.size() < partitions - 1; i++) {
            accumulated += sorted.get(i).cost();
            boolean lastOfKey = i + 1 == sorted.size() || !sorted.get(i + 1).key().equals(sorted.get(i).key());
            long target = total * (bounds.size() + 1) / partitions;
            if (lastOfKey && accumulated >= target && i + 1 < sorted.size()) {
                bounds.add(sorted.get(i).key());
            }
        }
        return List.copyOf(bounds);
    }
}
