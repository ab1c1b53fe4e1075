package dev.canopy.offload;

import static dev.canopy.offload.TestBlocks.buffer;
import static dev.canopy.offload.TestBlocks.pattern;
import static dev.canopy.offload.TestBlocks.sameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every fault turns into a block the caller recomputes; no load ever hands out wrong bytes. */
class TieredKvStoreFaultTest {

    private static final long BLOCK = 48;

    @TempDir
    Path temp;

    private final FaultySpillFileSystem disk = new FaultySpillFileSystem();

    private TieredKvStore store(int hostBlocks, int diskBlocks) {
        DiskTier diskTier = new DiskTier(new DiskTierConfig(temp, diskBlocks * BLOCK, 0, 2, 1 << 20), BLOCK, disk);
        return new TieredKvStore(List.of(new HostMemoryTier(hostBlocks * BLOCK, BLOCK), diskTier),
                EvictionPolicyKind.LRU, 1);
    }

    private static BlockKey k(int i) {
        return new BlockKey(2, i);
    }

    @Test
    void aFullDiskKeepsTheHostBlocksAndRejectsTheNewOne() {
        try (TieredKvStore store = store(2, 8)) {
            store.offload(k(0), pattern(BLOCK, 0));
            store.offload(k(1), pattern(BLOCK, 1));
            disk.writeBudget.set(0);

            OffloadResult result = store.offload(k(2), pattern(BLOCK, 2));

            assertThat(result).isInstanceOf(OffloadResult.Rejected.class);
            assertThat(((OffloadResult.Rejected) result).reason())
                    .isEqualTo("Cannot offload block 2/2: writing to the disk tier failed: java.io.IOException: "
                            + "No space left on device");
            assertThat(store.load(k(2), buffer(BLOCK))).isEqualTo(new LoadResult.Missing());
            for (int i = 0; i < 2; i++) {
                MemorySegment out = buffer(BLOCK);
                assertThat(store.load(k(i), out)).isEqualTo(new LoadResult.Loaded(0));
                assertThat(sameBytes(out, pattern(BLOCK, i))).isTrue();
            }
            OffloadStats stats = store.stats();
            assertThat(stats.tiers().get(1).writeFailures()).isEqualTo(2); // the demotion, then the direct write
            assertThat(stats.rejected()).isEqualTo(1);

            disk.writeBudget.set(-1);
            assertThat(store.offload(k(2), pattern(BLOCK, 2))).isEqualTo(new OffloadResult.Stored(0));
        }
    }

    @Test
    void anIoErrorOnLoadReportsTheBlockLostAndForgetsIt() {
        try (TieredKvStore store = store(1, 4)) {
            store.offload(k(0), pattern(BLOCK, 0));
            store.offload(k(1), pattern(BLOCK, 1)); // block 0 goes to disk
            disk.failReads = true;

            LoadResult result = store.load(k(0), buffer(BLOCK));

            assertThat(result).isInstanceOf(LoadResult.Lost.class);
            assertThat(((LoadResult.Lost) result).cause()).hasMessage("Input/output error");
            assertThat(store.tierOf(k(0))).isEmpty();
            assertThat(store.load(k(0), buffer(BLOCK))).isEqualTo(new LoadResult.Missing());
            assertThat(store.stats().lost()).isEqualTo(1);
            assertThat(store.stats().tiers().get(1).readFailures()).isEqualTo(1);
            assertThat(store.stats().tiers().get(1).residentBlocks()).isZero();
        }
    }

    @Test
    void aCorruptBlockIsLostNotReturned() {
        try (TieredKvStore store = store(1, 4)) {
            store.offload(k(0), pattern(BLOCK, 0));
            store.offload(k(1), pattern(BLOCK, 1));
            disk.corruptReads = true;

            LoadResult result = store.load(k(0), buffer(BLOCK));

            assertThat(result).isInstanceOf(LoadResult.Lost.class);
            assertThat(((LoadResult.Lost) result).cause()).isInstanceOf(CorruptBlockException.class);
            assertThat(store.stats().tiers().get(1).corruptBlocks()).isEqualTo(1);
            MemorySegment out = buffer(BLOCK);
            assertThat(store.load(k(1), out)).isEqualTo(new LoadResult.Loaded(0)); // the host copy is unaffected
            assertThat(sameBytes(out, pattern(BLOCK, 1))).isTrue();
        }
    }

    @Test
    void aPrefetchThatHitsAFaultLeavesTheBlockLostForTheNextLoad() {
        try (TieredKvStore store = store(1, 4)) {
            store.offload(k(0), pattern(BLOCK, 0));
            store.offload(k(1), pattern(BLOCK, 1));
            store.remove(k(1)); // room in the host for the prefetch
            disk.corruptReads = true;

            assertThat(store.prefetch(k(0)).join()).isFalse();

            LoadResult result = store.load(k(0), buffer(BLOCK));
            assertThat(result).isInstanceOf(LoadResult.Lost.class);
            assertThat(((LoadResult.Lost) result).cause()).isInstanceOf(CorruptBlockException.class)
                    .hasMessageContaining("Cannot read block 2/0 from spill file");
            assertThat(store.size()).isZero();
            assertThat(store.stats().tiers().get(0).residentBlocks()).isZero();
        }
    }

    @Test
    void aFailingDiskNeverCorruptsWhatTheHostHolds() {
        try (TieredKvStore store = store(3, 3)) {
            disk.corruptReads = true;
            for (int i = 0; i < 12; i++) {
                store.offload(k(i), pattern(BLOCK, i));
                disk.writeBudget.set(i % 3 == 0 ? 0 : -1);
            }
            int loaded = 0;
            for (int i = 0; i < 12; i++) {
                MemorySegment out = buffer(BLOCK);
                if (store.load(k(i), out).isLoaded()) {
                    assertThat(sameBytes(out, pattern(BLOCK, i))).as("block %d", i).isTrue();
                    loaded++;
                }
            }
            assertThat(loaded).isEqualTo(3); // what the host holds; every disk read was damaged
        }
    }
}
