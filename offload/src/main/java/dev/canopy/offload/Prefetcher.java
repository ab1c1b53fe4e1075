package dev.canopy.offload;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Keeps the blocks needed next moving up to a {@link TieredKvStore}'s first tier while the current step computes:
 * the caller hands it the upcoming blocks in order of need (for example the prefix blocks of the next group of
 * sequences to swap in), and it runs at most {@code maxInFlight} prefetches at a time, starting the next as each
 * ends. Timeliness (prefetched blocks resident before their load) is counted by the store, see
 * {@link OffloadStats#prefetchTimeliness()}. Thread-safe.
 */
public final class Prefetcher {

    private final TieredKvStore store;
    private final int maxInFlight;
    private final ArrayDeque<BlockKey> queue = new ArrayDeque<>(); // order of need
    private final Set<BlockKey> inFlight = new HashSet<>();

    /**
     * @param maxInFlight most prefetches running at once, at least 1
     */
    public Prefetcher(TieredKvStore store, int maxInFlight) {
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("Cannot create a prefetcher: maxInFlight must be at least 1, got "
                    + maxInFlight);
        }
        this.store = store;
        this.maxInFlight = maxInFlight;
    }

    /**
     * Replaces the blocks waiting to be prefetched by {@code upcoming} (the plan moved on) and starts prefetches up to
     * the limit. Prefetches already running continue; blocks already in the first tier or not stored are skipped.
     */
    public synchronized void request(List<BlockKey> upcoming) {
        queue.clear();
        queue.addAll(upcoming);
        startMore();
    }

    /** Prefetches running now. */
    public synchronized int inFlight() {
        return inFlight.size();
    }

    /** Blocks waiting for a free prefetch slot. */
    public synchronized int queued() {
        return queue.size();
    }

    /** Waits until no prefetch runs and none waits. */
    public synchronized void awaitIdle() throws InterruptedException {
        while (!inFlight.isEmpty() || !queue.isEmpty()) {
            wait();
        }
    }

    private void startMore() {
        while (inFlight.size() < maxInFlight && !queue.isEmpty()) {
            BlockKey key = queue.pollFirst();
            if (inFlight.contains(key)) {
                continue;
            }
            CompletableFuture<Boolean> moving = store.prefetch(key);
            if (moving.isDone()) {
                continue;
            }
            inFlight.add(key);
            moving.whenComplete((resident, failure) -> finished(key));
        }
        notifyAll();
    }

    private synchronized void finished(BlockKey key) {
        inFlight.remove(key);
        startMore();
    }
}
