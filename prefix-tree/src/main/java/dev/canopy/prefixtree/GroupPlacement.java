package dev.canopy.prefixtree;

import java.util.List;

/**
 * Where a prefix group's rows go: one part when the group fits a partition, several consecutive
 * partitions when it is too big, each part recomputing the shared prefix once.
 *
 * @param key the group's prefix key
 * @param parts row ranges in row order, in ascending partitions
 */
public record GroupPlacement(long key, List<PartRange> parts) {

    public GroupPlacement {
        parts = List.copyOf(parts);
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("Cannot create group placement for key " + key + ": it has no parts");
        }
    }

    /** The partition of row {@code rowOrdinal} of the group. */
    public int partitionOf(long rowOrdinal) {
        for (PartRange part : parts) {
            if (rowOrdinal >= part.firstRow() && rowOrdinal < part.firstRow() + part.rowCount()) {
                return part.partition();
            }
        }
        PartRange last = parts.getLast();
        throw new IllegalArgumentException("Cannot place row " + rowOrdinal + " of prefix key " + key + ": the group has rows 0.."
                + (last.firstRow() + last.rowCount() - 1));
    }
}
