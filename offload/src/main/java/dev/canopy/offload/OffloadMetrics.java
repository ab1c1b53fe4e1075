package dev.canopy.offload;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Thread-safe counters behind {@link OffloadStats}: a {@link TieredKvStore} records into them from the caller's and
 * the IO threads; {@link #snapshot} reads them.
 */
public final class OffloadMetrics {

    /** What a store counts beyond per-tier traffic. */
    public enum Event {
        LOAD, MISS, LOST, DROPPED, DISCARDED, REJECTED,
        PREFETCH_ISSUED, PREFETCH_ON_TIME, PREFETCH_LATE, PREFETCH_UNUSED, PREFETCH_SKIPPED
    }

    /** Per-tier traffic counters, in {@link TierStats} order. */
    private enum TierCounter {
        BLOCKS_IN, BYTES_IN, WRITE_NANOS, BLOCKS_OUT, BYTES_OUT, READ_NANOS, HITS, WRITE_FAILURES, READ_FAILURES,
        CORRUPT
    }

    private final List<String> tierNames;
    private final LongAdder[][] tierCounters; // (tiers, TierCounter)
    private final LongAdder[] events = newAdders(Event.values().length); // (Event)

    /** Counters for tiers named {@code tierNames}, fastest first. */
    public OffloadMetrics(List<String> tierNames) {
        this.tierNames = List.copyOf(tierNames);
        tierCounters = new LongAdder[tierNames.size()][];
        for (int t = 0; t < tierCounters.length; t++) {
            tierCounters[t] = newAdders(TierCounter.values().length);
        }
    }

    /** Counts one {@code event}. */
    public void count(Event event) {
        events[event.ordinal()].increment();
    }

    /** {@code bytes} were written into {@code tier} in {@code nanos}. */
    public void wrote(int tier, long bytes, long nanos) {
        add(tier, TierCounter.BLOCKS_IN, 1);
        add(tier, TierCounter.BYTES_IN, bytes);
        add(tier, TierCounter.WRITE_NANOS, nanos);
    }

    /** {@code bytes} were read out of {@code tier} in {@code nanos}. */
    public void read(int tier, long bytes, long nanos) {
        add(tier, TierCounter.BLOCKS_OUT, 1);
        add(tier, TierCounter.BYTES_OUT, bytes);
        add(tier, TierCounter.READ_NANOS, nanos);
    }

    /** A load was served by {@code tier}. */
    public void hit(int tier) {
        add(tier, TierCounter.HITS, 1);
    }

    /** A write into {@code tier} failed. */
    public void writeFailed(int tier) {
        add(tier, TierCounter.WRITE_FAILURES, 1);
    }

    /** A read from {@code tier} failed; {@code corrupt} when it failed verification. */
    public void readFailed(int tier, boolean corrupt) {
        add(tier, TierCounter.READ_FAILURES, 1);
        if (corrupt) {
            add(tier, TierCounter.CORRUPT, 1);
        }
    }

    /** The counters now, with the given resident block counts per tier. */
    public OffloadStats snapshot(int[] residentBlocks, long[] blockBytes) {
        List<TierStats> tiers = new ArrayList<>(tierNames.size());
        for (int t = 0; t < tierNames.size(); t++) {
            tiers.add(new TierStats(tierNames.get(t), residentBlocks[t], residentBlocks[t] * blockBytes[t],
                    get(t, TierCounter.BLOCKS_IN), get(t, TierCounter.BYTES_IN), get(t, TierCounter.WRITE_NANOS),
                    get(t, TierCounter.BLOCKS_OUT), get(t, TierCounter.BYTES_OUT), get(t, TierCounter.READ_NANOS),
                    get(t, TierCounter.HITS), get(t, TierCounter.WRITE_FAILURES), get(t, TierCounter.READ_FAILURES),
                    get(t, TierCounter.CORRUPT)));
        }
        return new OffloadStats(tiers, get(Event.LOAD), get(Event.MISS), get(Event.LOST), get(Event.DROPPED),
                get(Event.DISCARDED), get(Event.REJECTED), get(Event.PREFETCH_ISSUED), get(Event.PREFETCH_ON_TIME),
                get(Event.PREFETCH_LATE), get(Event.PREFETCH_UNUSED), get(Event.PREFETCH_SKIPPED));
    }

    private void add(int tier, TierCounter counter, long amount) {
        tierCounters[tier][counter.ordinal()].add(amount);
    }

    private long get(int tier, TierCounter counter) {
        return tierCounters[tier][counter.ordinal()].sum();
    }

    private long get(Event event) {
        return events[event.ordinal()].sum();
    }

    private static LongAdder[] newAdders(int n) {
        LongAdder[] adders = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }
}
