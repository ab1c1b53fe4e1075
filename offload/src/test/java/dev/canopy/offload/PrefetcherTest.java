package dev.canopy.offload;

import static dev.canopy.offload.TestBlocks.buffer;
import static dev.canopy.offload.TestBlocks.pattern;
import static dev.canopy.offload.TestBlocks.sameBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrefetcherTest {

    private static final long BLOCK = 32;

    @TempDir
    Path temp;

    private final FaultySpillFileSystem disk = new FaultySpillFileSystem();

    private TieredKvStore store(int hostBlocks, EvictionPolicyKind kind) {
        DiskTier diskTier = new DiskTier(new DiskTierConfig(temp, 16 * BLOCK, 0, 2, 1 << 20), BLOCK, disk);
        return new TieredKvStore(List.of(new HostMemoryTier(hostBlocks * BLOCK, BLOCK), diskTier), kind, 2);
    }

    private static BlockKey k(int i) {
        return new BlockKey(3, i);
    }

    private static List<BlockKey> keys(int from, int to) {
        return IntStream.range(from, to).mapToObj(PrefetcherTest::k).toList();
    }

    /** Offloads blocks [0, n) then [n, n + host) so that the first n end up on disk. */
    private static void fillDisk(TieredKvStore store, int n, int host) {
        for (int i = 0; i < n + host; i++) {
            store.offload(k(i), pattern(BLOCK, i));
        }
        for (int i = n; i < n + host; i++) {
            store.remove(k(i));
        }
    }

    @Test
    void prefetchedBlocksAreInHostMemoryBeforeTheyAreNeeded() throws InterruptedException {
        try (TieredKvStore store = store(4, EvictionPolicyKind.LRU)) {
            fillDisk(store, 4, 4);
            assertThat(store.tierOf(k(0))).hasValue(1);
            Prefetcher prefetcher = new Prefetcher(store, 2);

            prefetcher.request(keys(0, 4));
            prefetcher.awaitIdle();

            for (int i = 0; i < 4; i++) {
                MemorySegment out = buffer(BLOCK);
                assertThat(store.load(k(i), out)).isEqualTo(new LoadResult.Loaded(0));
                assertThat(sameBytes(out, pattern(BLOCK, i))).isTrue();
            }
            OffloadStats stats = store.stats();
            assertThat(stats.prefetchIssued()).isEqualTo(4);
            assertThat(stats.prefetchOnTime()).isEqualTo(4);
            assertThat(stats.prefetchTimeliness()).hasValue(1.0);
            assertThat(stats.tiers().get(1).blocksOut()).isEqualTo(4);
            assertThat(stats.tiers().get(1).hits()).isZero();
        }
    }

    @Test
    void atMostMaxInFlightPrefetchesRunAndTheRestWaitInOrder() throws InterruptedException {
        try (TieredKvStore store = store(8, EvictionPolicyKind.LRU)) {
            fillDisk(store, 5, 8);
            CountDownLatch gate = new CountDownLatch(1);
            disk.readGate = gate;
            Prefetcher prefetcher = new Prefetcher(store, 2);

            prefetcher.request(keys(0, 5));
            assertThat(prefetcher.inFlight()).isEqualTo(2);
            assertThat(prefetcher.queued()).isEqualTo(3);

            gate.countDown();
            prefetcher.awaitIdle();
            for (int i = 0; i < 5; i++) {
                assertThat(store.tierOf(k(i))).hasValue(0);
            }
        }
    }

    @Test
    void aLoadThatOvertakesItsPrefetchWaitsForItAndCountsAsLate() throws Exception {
        try (TieredKvStore store = store(2, EvictionPolicyKind.LRU)) {
            fillDisk(store, 1, 2);
            CountDownLatch gate = new CountDownLatch(1);
            disk.readGate = gate;
            int readsBefore = disk.readsStarted.get();
            CompletableFuture<Boolean> prefetch = store.prefetch(k(0));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (disk.readsStarted.get() == readsBefore && System.nanoTime() < deadline) {
                Thread.sleep(1); // the prefetch's read must be in flight before the load starts
            }
            MemorySegment out = buffer(BLOCK);
            CompletableFuture<LoadResult> load = CompletableFuture.supplyAsync(() -> store.load(k(0), out));
            Thread.sleep(50);
            assertThat(load).isNotDone();

            gate.countDown();

            assertThat(prefetch.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(load.get(10, TimeUnit.SECONDS).isLoaded()).isTrue();
            assertThat(sameBytes(out, pattern(BLOCK, 0))).isTrue();
            assertThat(store.stats().prefetchLate()).isEqualTo(1);
            assertThat(store.stats().prefetchTimeliness()).hasValue(0.0);
        }
    }

    @Test
    void aPrefetchedBlockEvictedBeforeUseCountsAsUnused() {
        try (TieredKvStore store = store(1, EvictionPolicyKind.LRU)) {
            fillDisk(store, 1, 1);
            assertThat(store.prefetch(k(0)).join()).isTrue();
            store.offload(k(9), pattern(BLOCK, 9)); // pushes the prefetched block back down
            assertThat(store.tierOf(k(0))).hasValue(1);
            assertThat(store.stats().prefetchUnused()).isEqualTo(1);
        }
    }

    @Test
    void aPlanAwarePrefetchDoesNotEvictBlocksNeededSooner() {
        try (TieredKvStore store = store(1, EvictionPolicyKind.PLAN_AWARE)) {
            store.setNextUse(k(0), 100);
            store.setNextUse(k(1), 10);
            store.offload(k(0), pattern(BLOCK, 0));
            store.offload(k(1), pattern(BLOCK, 1)); // block 0, needed later, goes to disk

            assertThat(store.prefetch(k(0)).join()).isFalse();
            assertThat(store.tierOf(k(1))).hasValue(0);
            assertThat(store.stats().prefetchSkipped()).isEqualTo(1);
            assertThat(store.prefetch(k(1)).join()).isTrue(); // already there
            assertThat(store.prefetch(k(7)).join()).isFalse(); // not stored
        }
    }

    @Test
    void theWindowMustBePositive() {
        try (TieredKvStore store = store(1, EvictionPolicyKind.LRU)) {
            assertThatThrownBy(() -> new Prefetcher(store, 0))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Cannot create a prefetcher: maxInFlight must be at least 1, got 0");
        }
    }
}
