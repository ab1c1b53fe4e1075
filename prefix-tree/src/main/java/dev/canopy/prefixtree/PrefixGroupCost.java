package dev.canopy.prefixtree;

/**
 * The rows of a job that share one prefix key, with their estimated cost, as a Spark driver gathers
 * them ({@code groupBy(prefixKey).agg(count, sum(cost))}).
 *
 * @param key the rows' {@link PrefixPartitioner#prefixKey prefix key}
 * @param rows rows with the key, at least 1
 * @param prefixCost cost of computing the shared prefix once (e.g. its prefill seconds)
 * @param rowsCost summed cost of the rows beyond the shared prefix (their own prefill and decode)
 */
public record PrefixGroupCost(long key, long rows, double prefixCost, double rowsCost) {

    public PrefixGroupCost {
        if (rows < 1) {
            throw new IllegalArgumentException("Cannot create prefix group cost for key " + key + ": rows is " + rows + "; it must be >= 1");
        }
        if (!(prefixCost >= 0) || !(rowsCost >= 0) || Double.isInfinite(prefixCost) || Double.isInfinite(rowsCost)) {
            throw new IllegalArgumentException("Cannot create prefix group cost for key " + key + ": prefixCost " + prefixCost
                    + " and rowsCost " + rowsCost + " must be finite and >= 0");
        }
    }

    /** Cost of the whole group in one partition: the prefix once plus the rows. */
    public double totalCost() {
        return prefixCost + rowsCost;
    }
}
