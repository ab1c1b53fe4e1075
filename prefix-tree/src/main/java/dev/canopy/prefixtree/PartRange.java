package dev.canopy.prefixtree;

/**
 * Rows {@code firstRow .. firstRow + rowCount - 1} of a prefix group (numbered 0.. in any fixed order,
 * e.g. {@code row_number()} over the key ordered by row id) go to {@code partition}.
 */
public record PartRange(int partition, long firstRow, long rowCount) {

    public PartRange {
        if (partition < 0 || firstRow < 0 || rowCount < 1) {
            throw new IllegalArgumentException("Cannot create part range: partition " + partition + " and firstRow " + firstRow
                    + " must be >= 0, rowCount " + rowCount + " >= 1");
        }
    }
}
