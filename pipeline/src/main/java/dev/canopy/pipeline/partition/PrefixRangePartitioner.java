package dev.canopy.pipeline.partition;

import java.util.Collections;
import java.util.List;

import org.apache.spark.Partitioner;

/**
 * Sends a {@link PrefixKey} to the range that holds it: partition i takes keys in (bounds[i-1], bounds[i]].
 */
public final class PrefixRangePartitioner extends Partitioner {

    private static final long serialVersionUID = 1L;

    private final List<PrefixKey> bounds; // (numPartitions - 1,) ascending

    public PrefixRangePartitioner(List<PrefixKey> bounds) {
        this.bounds = List.copyOf(bounds);
        for (int i = 1; i < this.bounds.size(); i++) {
            if (this.bounds.get(i - 1).compareTo(this.bounds.get(i)) >= 0) {
                throw new IllegalArgumentException("Cannot partition by prefix: bounds are not strictly ascending at "
                        + i + ": " + this.bounds.get(i - 1) + " then " + this.bounds.get(i));
            }
        }
    }

    @Override
    public int numPartitions() {
        return bounds.size() + 1;
    }

    @Override
    public int getPartition(Object key) {
        int found = Collections.binarySearch(bounds, (PrefixKey) key);
        return found >= 0 ? found : -found - 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PrefixRangePartitioner other && bounds.equals(other.bounds);
    }

    @Override
    public int hashCode() {
        return bounds.hashCode();
    }
}
