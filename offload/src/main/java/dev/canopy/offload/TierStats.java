package dev.canopy.offload;

import java.util.OptionalDouble;

/**
 * Counters of one tier of a {@link TieredKvStore}, since it opened.
 *
 * @param name           the tier's name
 * @param residentBlocks blocks held now
 * @param residentBytes  bytes held now
 * @param blocksIn       blocks written into the tier (offloads, demotions from above, prefetches from below)
 * @param bytesIn        bytes of those blocks
 * @param writeNanos     time spent writing them
 * @param blocksOut      blocks read out of the tier (loads, demotions and prefetches to another tier)
 * @param bytesOut       bytes of those blocks
 * @param readNanos      time spent reading them
 * @param hits           loads served by this tier
 * @param writeFailures  writes that failed (full disk, IO error)
 * @param readFailures   reads that failed, corrupt blocks included
 * @param corruptBlocks  reads that failed verification
 */
public record TierStats(String name, long residentBlocks, long residentBytes, long blocksIn, long bytesIn,
                        long writeNanos, long blocksOut, long bytesOut, long readNanos, long hits, long writeFailures,
                        long readFailures, long corruptBlocks) {

    /** Measured write throughput in MB/s (10^6 bytes), empty before anything timed was written. */
    public OptionalDouble writeMegabytesPerSecond() {
        return rate(bytesIn, writeNanos);
    }

    /** Measured read throughput in MB/s (10^6 bytes), empty before anything timed was read. */
    public OptionalDouble readMegabytesPerSecond() {
        return rate(bytesOut, readNanos);
    }

    private static OptionalDouble rate(long bytes, long nanos) {
        return nanos > 0 ? OptionalDouble.of(bytes * 1e3 / nanos) : OptionalDouble.empty();
    }
}
