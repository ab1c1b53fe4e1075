package dev.canopy.offload;

import static dev.canopy.offload.TestBlocks.buffer;
import static dev.canopy.offload.TestBlocks.pattern;
import static dev.canopy.offload.TestBlocks.sameBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TieredKvStoreTest {

    static final long BLOCK = 32;

    @TempDir
    Path temp;

    private TieredKvStore store(int hostBlocks, int diskBlocks, EvictionPolicyKind kind) {
        List<KvTier> tiers = new ArrayList<>();
        if (hostBlocks > 0) {
            tiers.add(new HostMemoryTier(hostBlocks * BLOCK, BLOCK));
        }
        if (diskBlocks > 0) {
            tiers.add(new DiskTier(new DiskTierConfig(temp, diskBlocks * BLOCK, 0, 2, 1 << 20), BLOCK));
        }
        return new TieredKvStore(tiers, kind, 2);
    }

    private static BlockKey k(int i) {
        return new BlockKey(1, i);
    }

    private static void offload(TieredKvStore store, int... blocks) {
        for (int i : blocks) {
            assertThat(store.offload(k(i), pattern(BLOCK, i)).isStored()).as("offload %d", i).isTrue();
        }
    }

    /** Loads block i and checks its bytes; returns the tier it came from. */
    private static int loadedTier(TieredKvStore store, int i) {
        MemorySegment out = buffer(BLOCK);
        LoadResult result = store.load(k(i), out);
        assertThat(result).as("load %d", i).isInstanceOf(LoadResult.Loaded.class);
        assertThat(sameBytes(out, pattern(BLOCK, i))).as("bytes of %d", i).isTrue();
        return ((LoadResult.Loaded) result).tier();
    }

    @Test
    void withHostMemoryOnlyTheLeastRecentlyUsedBlockIsDiscardedWhenFull() {
        try (TieredKvStore store = store(2, 0, EvictionPolicyKind.LRU)) {
            offload(store, 0, 1, 2);
            assertThat(store.load(k(0), buffer(BLOCK))).isEqualTo(new LoadResult.Missing());
            assertThat(loadedTier(store, 1)).isZero();
            assertThat(loadedTier(store, 2)).isZero();

            OffloadStats stats = store.stats();
            assertThat(stats.discarded()).isEqualTo(1);
            assertThat(stats.loads()).isEqualTo(3);
            assertThat(stats.misses()).isEqualTo(1);
            assertThat(stats.hitRate(0)).hasValue(2.0 / 3);
            assertThat(stats.tiers().getFirst().residentBlocks()).isEqualTo(2);
            assertThat(stats.tiers().getFirst().bytesIn()).isEqualTo(3 * BLOCK);
        }
    }

    @Test
    void hostOverflowMovesTheVictimToDiskAndLoadsComeFromEitherTier() {
        try (TieredKvStore store = store(2, 4, EvictionPolicyKind.LRU)) {
            offload(store, 0, 1, 2, 3);
            assertThat(store.tierOf(k(0))).hasValue(1);
            assertThat(store.tierOf(k(1))).hasValue(1);
            assertThat(store.tierOf(k(3))).hasValue(0);
            assertThat(loadedTier(store, 0)).isEqualTo(1);
            assertThat(loadedTier(store, 3)).isZero();

            OffloadStats stats = store.stats();
            TierStats host = stats.tiers().get(0);
            TierStats disk = stats.tiers().get(1);
            assertThat(host.blocksIn()).isEqualTo(4);
            assertThat(host.blocksOut()).isEqualTo(3); // two demotions and one load
            assertThat(disk.blocksIn()).isEqualTo(2);
            assertThat(disk.bytesOut()).isEqualTo(BLOCK);
            assertThat(disk.hits()).isEqualTo(1);
            assertThat(disk.residentBytes()).isEqualTo(2 * BLOCK);
            assertThat(disk.writeMegabytesPerSecond()).isPresent();
        }
    }

    @Test
    void withDiskOnlyBlocksRoundTripThroughTheSpillFiles() {
        try (TieredKvStore store = store(0, 3, EvictionPolicyKind.LRU)) {
            offload(store, 0, 1, 2);
            for (int i = 0; i < 3; i++) {
                assertThat(loadedTier(store, i)).isZero();
            }
            assertThat(store.tiers().getFirst().name()).isEqualTo("disk");
        }
    }

    @Test
    void planAwareEvictionSendsTheFurthestBlockDownAndDropsBlocksWithNoFutureUse() {
        try (TieredKvStore store = store(2, 4, EvictionPolicyKind.PLAN_AWARE)) {
            store.setNextUse(k(0), 5);
            store.setNextUse(k(1), 50);
            store.setNextUse(k(2), 20);
            offload(store, 0, 1, 2);
            assertThat(store.tierOf(k(1))).hasValue(1); // used last: went to disk
            assertThat(store.tierOf(k(0))).hasValue(0);

            store.setNoFutureUse(k(0));
            store.setNextUse(k(3), 10);
            offload(store, 3);
            assertThat(store.tierOf(k(0))).isEmpty(); // dropped, not written
            assertThat(store.stats().dropped()).isEqualTo(1);
            assertThat(store.stats().tiers().get(1).blocksIn()).isEqualTo(1);

            store.setNoFutureUse(k(4));
            assertThat(store.offload(k(4), pattern(BLOCK, 4))).isEqualTo(new OffloadResult.Dropped());
            assertThat(store.stats().dropped()).isEqualTo(2);
        }
    }

    @Test
    void aPlanAwareStoreDoesNotLetABlockNeededLaterPushOutOneNeededSooner() {
        try (TieredKvStore store = store(1, 1, EvictionPolicyKind.PLAN_AWARE)) {
            store.setNextUse(k(0), 1);
            store.setNextUse(k(1), 2);
            store.setNextUse(k(2), 3);
            offload(store, 0);
            assertThat(store.offload(k(1), pattern(BLOCK, 1))).isEqualTo(new OffloadResult.Stored(1));
            assertThat(store.offload(k(2), pattern(BLOCK, 2))).isInstanceOf(OffloadResult.Rejected.class);
            assertThat(loadedTier(store, 0)).isZero();
            assertThat(loadedTier(store, 1)).isEqualTo(1);
            assertThat(store.stats().rejected()).isEqualTo(1);
        }
    }

    @Test
    void pinnedBlocksStayWhereTheyAre() {
        try (TieredKvStore store = store(2, 4, EvictionPolicyKind.LRU)) {
            offload(store, 0, 1);
            assertThat(store.pin(k(0))).isTrue();
            assertThat(store.pin(k(1))).isTrue();
            offload(store, 2);
            assertThat(store.tierOf(k(2))).hasValue(1); // the host had no evictable block
            store.unpin(k(0));
            offload(store, 3);
            assertThat(store.tierOf(k(0))).hasValue(1);
            assertThat(store.tierOf(k(1))).hasValue(0);
            store.unpin(k(1));
            assertThatThrownBy(() -> store.unpin(k(1)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot unpin block 1/1: it is not pinned");
            assertThat(store.pin(k(9))).isFalse();
        }
    }

    @Test
    void offloadingAKeyAgainReplacesItsBlockAndRemoveForgetsIt() {
        try (TieredKvStore store = store(2, 2, EvictionPolicyKind.LRU)) {
            store.offload(k(0), pattern(BLOCK, 100));
            offload(store, 0);
            assertThat(loadedTier(store, 0)).isZero();
            assertThat(store.size()).isEqualTo(1);

            assertThat(store.remove(k(0))).isTrue();
            assertThat(store.remove(k(0))).isFalse();
            assertThat(store.load(k(0), buffer(BLOCK))).isEqualTo(new LoadResult.Missing());
            assertThat(store.stats().tiers().getFirst().residentBlocks()).isZero();
        }
    }

    @Test
    void tiersMustAgreeOnTheBlockSize() {
        HostMemoryTier a = new HostMemoryTier(4 * BLOCK, BLOCK);
        HostMemoryTier b = new HostMemoryTier(4 * BLOCK, BLOCK * 2);
        assertThatThrownBy(() -> new TieredKvStore(List.of(a, b), EvictionPolicyKind.LRU, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot create a tiered KV store: tier host has blocks of 64 bytes but tier host has 32");
        a.close();
        b.close();
        assertThatThrownBy(() -> new TieredKvStore(List.of(), EvictionPolicyKind.LRU, 1))
                .hasMessage("Cannot create a tiered KV store: no tier given");
    }
}
