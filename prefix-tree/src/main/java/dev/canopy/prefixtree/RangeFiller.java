package dev.canopy.prefixtree;

import java.util.ArrayList;
import java.util.List;

/**
 * Fills partitions left to right with prefix groups; each partition's target is the cost still to
 * place over the partitions still open, so early overshoot or prefix recomputation is absorbed by the
 * partitions after it.
 */
final class RangeFiller {

    private final double[] costs; // (partitions) cost placed in each partition
    private double unplaced; // cost not yet placed, recomputed prefixes included
    private int current;
    private double target;

    RangeFiller(int partitions, double totalCost) {
        this.costs = new double[partitions];
        this.unplaced = totalCost;
        this.target = totalCost / partitions;
    }

    double[] costs() {
        return costs.clone();
    }

    /**
     * Places {@code group}'s rows, returning its parts in row order. A group is split only when a part
     * of one row block, prefix included, fits a partition's share; otherwise splitting would only add
     * prefix recomputation, and the group is kept whole.
     */
    List<PartRange> place(PrefixGroupCost group, int rowBlock) {
        List<PartRange> parts = new ArrayList<>();
        double perRow = group.rowsCost() / group.rows();
        long firstRow = 0;
        while (firstRow < group.rows()) {
            long rowsLeft = group.rows() - firstRow;
            double partCost = group.prefixCost() + rowsLeft * perRow;
            double space = target - costs[current];
            if (current == costs.length - 1 || partCost <= space) {
                put(parts, firstRow, rowsLeft, partCost);
                return parts;
            }
            boolean splittable = group.prefixCost() + rowBlock * perRow < target;
            if (!splittable || partCost <= target) {
                boolean empty = costs[current] == 0;
                if (empty || space >= partCost / 2) {
                    put(parts, firstRow, rowsLeft, partCost);
                    openNext();
                    return parts;
                }
                openNext();
                continue;
            }
            long rowsHere = Math.min(rowsLeft, (long) Math.floor((space - group.prefixCost()) / perRow) / rowBlock * rowBlock);
            if (rowsHere > 0) {
                put(parts, firstRow, rowsHere, group.prefixCost() + rowsHere * perRow);
                unplaced += group.prefixCost(); // the rest pays the prefix again in its own partition
                firstRow += rowsHere;
            }
            openNext();
        }
        return parts;
    }

    private void put(List<PartRange> parts, long firstRow, long rows, double cost) {
        parts.add(new PartRange(current, firstRow, rows));
        costs[current] += cost;
        unplaced -= cost;
    }

    private void openNext() {
        current++;
        target = Math.max(0, unplaced) / (costs.length - current);
    }
}
