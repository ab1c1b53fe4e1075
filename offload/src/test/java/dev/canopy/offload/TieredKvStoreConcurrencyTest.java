package dev.canopy.offload;

import static dev.canopy.offload.TestBlocks.buffer;
import static dev.canopy.offload.TestBlocks.pattern;
import static dev.canopy.offload.TestBlocks.sameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Several threads offload, load, remove, pin and prefetch at once through small tiers: no wrong bytes, no hang. */
class TieredKvStoreConcurrencyTest {

    private static final long BLOCK = 256;

    @TempDir
    Path temp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentTrafficThroughBothTiersNeverYieldsWrongBytes() throws Exception {
        for (EvictionPolicyKind policy : EvictionPolicyKind.values()) {
            FaultySpillFileSystem disk = new FaultySpillFileSystem();
            List<KvTier> tiers = List.of(new HostMemoryTier(6 * BLOCK, BLOCK),
                    new DiskTier(new DiskTierConfig(temp, 20 * BLOCK, 0, 2, 4 * 1024), BLOCK, disk));
            try (TieredKvStore store = new TieredKvStore(tiers, policy, 2);
                 ExecutorService pool = Executors.newFixedThreadPool(3)) {
                Prefetcher prefetcher = new Prefetcher(store, 2);
                List<Future<int[]>> workers = new ArrayList<>();
                for (int w = 0; w < 3; w++) {
                    int owner = w;
                    workers.add(pool.submit(() -> traffic(store, prefetcher, owner)));
                }
                int loaded = 0;
                for (Future<int[]> worker : workers) {
                    int[] counts = worker.get();
                    assertThat(counts[1]).as("wrong bytes").isZero();
                    loaded += counts[0];
                }
                prefetcher.awaitIdle();
                assertThat(loaded).isPositive();
                OffloadStats stats = store.stats();
                assertThat(stats.tiers().get(0).residentBlocks() + stats.tiers().get(1).residentBlocks())
                        .isEqualTo(store.size());
                assertThat(stats.tiers().get(1).blocksIn()).isPositive();
            }
        }
    }

    /** Random operations on this owner's 10 keys; returns {loads that matched, loads with wrong bytes}. */
    private static int[] traffic(TieredKvStore store, Prefetcher prefetcher, int owner) {
        SplittableRandom random = new SplittableRandom(owner);
        int[] version = new int[10]; // (keys) content version stored under each key; 0 = none
        int matched = 0;
        int wrong = 0;
        MemorySegment out = buffer(BLOCK);
        for (int op = 0; op < 600; op++) {
            int i = random.nextInt(10);
            BlockKey key = new BlockKey(owner, i);
            store.setNextUse(key, random.nextInt(100));
            switch (random.nextInt(6)) {
                case 0, 1 -> {
                    version[i] = op + 1;
                    if (!store.offload(key, pattern(BLOCK, seed(owner, i, op + 1))).isStored()) {
                        version[i] = 0;
                    }
                }
                case 2, 3 -> {
                    if (store.load(key, out).isLoaded()) {
                        if (version[i] != 0 && sameBytes(out, pattern(BLOCK, seed(owner, i, version[i])))) {
                            matched++;
                        } else {
                            wrong++;
                        }
                    }
                }
                case 4 -> {
                    store.remove(key);
                    version[i] = 0;
                }
                default -> {
                    if (store.pin(key)) {
                        prefetcher.request(List.of(key, new BlockKey(owner, (i + 1) % 10)));
                        store.unpin(key);
                    }
                }
            }
        }
        return new int[] {matched, wrong};
    }

    private static long seed(int owner, int index, int version) {
        return owner * 1_000_000L + index * 10_000L + version;
    }
}
