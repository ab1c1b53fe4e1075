package dev.canopy.executor.engine.offload;

import java.util.Locale;
import java.util.OptionalDouble;

/**
 * What the offload of evicted prefix-cache blocks did since the engine opened.
 *
 * @param evicted               cached blocks the pool evicted whose whole prefix was known
 * @param written               of those, blocks written to the offload tiers
 * @param dropped               blocks not written because no waiting sequence reads them again (plan-aware)
 * @param alreadyStored         blocks not written because the tiers still held them
 * @param coveredBySwap         blocks not written because their next reader swaps them back in anyway
 * @param notStored             writes the tiers refused (full of blocks needed sooner, write error)
 * @param restored              blocks copied back into the pool for an admitted sequence instead of being computed
 * @param restoredFromFirstTier restored blocks already in the first tier when needed (prefetched or never moved down)
 * @param notRestored           kept blocks that could not be restored (evicted meanwhile, IO error, corrupt)
 */
public record PrefixOffloadMetrics(long evicted, long written, long dropped, long alreadyStored, long coveredBySwap,
                                   long notStored, long restored, long restoredFromFirstTier, long notRestored) {

    /** Share of restored blocks that were in the first tier before they were needed; empty before any restore. */
    public OptionalDouble timeliness() {
        return restored == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) restoredFromFirstTier / restored);
    }

    /** One line for logs and bench reports. */
    public String summary() {
        return String.format(Locale.ROOT, "prefix blocks evicted %d: written %d, dropped %d, already stored %d, "
                        + "covered by swap %d, not stored %d; restored %d (%d from the first tier), not restored %d",
                evicted, written, dropped, alreadyStored, coveredBySwap, notStored, restored, restoredFromFirstTier,
                notRestored);
    }
}
