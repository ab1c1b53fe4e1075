package dev.canopy.offload;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * A snapshot of a {@link TieredKvStore}'s counters.
 *
 * @param tiers           per tier, fastest first
 * @param loads           {@link TieredKvStore#load} calls
 * @param misses          loads of blocks not stored (never offloaded, dropped, rejected or discarded)
 * @param lost            loads and prefetches that failed on a fault (IO error, corrupt block): recompute
 * @param dropped         blocks not written because the plan says they have no future use
 * @param discarded       blocks with a future use pushed out of the last tier (or left behind by a failed move)
 * @param rejected        offloads no tier had room for
 * @param prefetchIssued  prefetches started
 * @param prefetchOnTime  loads that found their prefetched block already in the first tier
 * @param prefetchLate    loads that had to wait for (or bypass) a prefetch still in flight
 * @param prefetchUnused  prefetched blocks evicted or removed before any load
 * @param prefetchSkipped prefetches given up because the first tier had no room
 */
public record OffloadStats(List<TierStats> tiers, long loads, long misses, long lost, long dropped, long discarded,
                           long rejected, long prefetchIssued, long prefetchOnTime, long prefetchLate,
                           long prefetchUnused, long prefetchSkipped) {

    public OffloadStats {
        tiers = List.copyOf(tiers);
    }

    /** Share of loads served by tier {@code tier}; empty before any load. */
    public OptionalDouble hitRate(int tier) {
        return loads == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) tiers.get(tier).hits() / loads);
    }

    /** Share of prefetched blocks that were in the first tier before they were needed; empty before any. */
    public OptionalDouble prefetchTimeliness() {
        long needed = prefetchOnTime + prefetchLate;
        return needed == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) prefetchOnTime / needed);
    }

    /** One line per tier and one for the totals, for logs and bench reports. */
    public String summary() {
        StringBuilder out = new StringBuilder();
        for (TierStats t : tiers) {
            out.append(String.format(Locale.ROOT, "%s: %d blocks resident (%d bytes), in %d blocks / %d bytes, "
                            + "out %d blocks / %d bytes, %d hits, %d write and %d read failures (%d corrupt)%n",
                    t.name(), t.residentBlocks(), t.residentBytes(), t.blocksIn(), t.bytesIn(), t.blocksOut(),
                    t.bytesOut(), t.hits(), t.writeFailures(), t.readFailures(), t.corruptBlocks()));
        }
        out.append(String.format(Locale.ROOT, "loads %d (misses %d, lost %d), dropped %d, discarded %d, rejected %d, "
                        + "prefetch issued %d / on time %d / late %d / unused %d / skipped %d",
                loads, misses, lost, dropped, discarded, rejected, prefetchIssued, prefetchOnTime, prefetchLate,
                prefetchUnused, prefetchSkipped));
        return out.toString();
    }
}
