package dev.canopy.offload;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The transfer worker of a {@link TieredKvStore}: the IO on the tiers (writes, reads, moves from one tier to another)
 * that its {@link TierIndex} prepared, run with no lock held, and the threads prefetches run on. Knows nothing of which
 * block is where: the index does. Thread-safe (the tiers are).
 */
final class TierTransfers implements AutoCloseable {

    private final List<KvTier> tiers;
    private final ExecutorService prefetchPool;

    /** @param prefetchThreads threads running prefetches, at least 1 */
    TierTransfers(List<KvTier> tiers, int prefetchThreads) {
        this.tiers = tiers;
        AtomicInteger threads = new AtomicInteger();
        this.prefetchPool = Executors.newFixedThreadPool(prefetchThreads, r -> Thread.ofPlatform().daemon()
                .name("canopy-prefetch-" + threads.incrementAndGet()).unstarted(r));
    }

    /** Writes {@code payload} (blockBytes) as block {@code key} into tier {@code tier}; returns the failure, if any. */
    IOException write(BlockKey key, int tier, MemorySegment payload) {
        return run(() -> tiers.get(tier).put(key, payload));
    }

    /** Copies block {@code key} of tier {@code tier} into {@code dst} (blockBytes); returns the failure, if any. */
    IOException read(BlockKey key, int tier, MemorySegment dst) {
        return run(() -> requireFound(tiers.get(tier).get(key, dst), key, tier));
    }

    /** Copies block {@code key} from tier {@code from} into tier {@code to} (which it is not in yet). */
    IOException copy(BlockKey key, int from, int to) {
        return run(() -> requireFound(tiers.get(from).read(key, block -> tiers.get(to).put(key, block)), key, from));
    }

    /** Like {@link #copy}, filling the destination slot straight from the source tier (a prefetch up to tier 0). */
    IOException copyInto(BlockKey key, int from, int to) {
        return run(() -> tiers.get(to).putWith(key, slot -> requireFound(tiers.get(from).get(key, slot), key, from)));
    }

    /** Runs {@code task} on a prefetch thread. */
    <T> CompletableFuture<T> onPrefetchThread(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, prefetchPool);
    }

    /** Waits for prefetches in flight (at most a minute), then stops the prefetch threads. */
    @Override
    public void close() {
        prefetchPool.shutdown();
        try {
            prefetchPool.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @FunctionalInterface
    private interface Io {
        void run() throws IOException;
    }

    private static IOException run(Io io) {
        try {
            io.run();
            return null;
        } catch (IOException failure) {
            return failure;
        }
    }

    private void requireFound(boolean found, BlockKey key, int tier) {
        if (!found) {
            throw new IllegalStateException("Broken tiered store: block " + key + " is not in the "
                    + tiers.get(tier).name() + " tier that holds it");
        }
    }
}
