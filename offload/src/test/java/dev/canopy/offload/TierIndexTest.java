package dev.canopy.offload;

import static dev.canopy.offload.TestBlocks.buffer;
import static dev.canopy.offload.TestBlocks.pattern;
import static dev.canopy.offload.TestBlocks.sameBytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tiered store's bookkeeping holds its lock for no IO: while a tier writes a block, other threads read and change
 * the index; a transfer prepared marks its block busy until it completes, and the index's accounting of room follows
 * the prepare / complete protocol (a claimed slot is counted until the write ends or fails).
 */
class TierIndexTest {

    private static final long BLOCK = 128;
    private static final BlockKey SLOW = new BlockKey(1, 0);
    private static final BlockKey OTHER = new BlockKey(2, 0);

    @Test
    // a hang here means the store held its lock across the write
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void otherThreadsUseTheStoreWhileATierWritesABlock() {
        AtomicReference<TieredKvStore> storeRef = new AtomicReference<>();
        AtomicBoolean usedDuringWrite = new AtomicBoolean();
        Runnable useTheStore = () -> {
            TieredKvStore store = storeRef.get();
            assertThat(store.offload(OTHER, pattern(BLOCK, 2)).isStored()).isTrue();
            assertThat(store.tierOf(OTHER)).hasValue(0);
            assertThat(store.pin(OTHER)).isTrue();
            store.unpin(OTHER);
            assertThat(store.stats().tiers().getFirst().residentBlocks()).as("the slow block: not yet").isEqualTo(1);
            usedDuringWrite.set(true);
        };
        KvTier slow = new HookedTier(new HostMemoryTier(4 * BLOCK, BLOCK), key -> {
            if (key.equals(SLOW)) { // another thread, with this write in flight: every call must go through
                CompletableFuture.runAsync(useTheStore).join();
            }
        });
        try (TieredKvStore store = new TieredKvStore(List.of(slow), EvictionPolicyKind.LRU, 1)) {
            storeRef.set(store);
            assertThat(store.offload(SLOW, pattern(BLOCK, 1)).isStored()).isTrue();
            assertThat(usedDuringWrite).isTrue();
            MemorySegment dst = buffer(BLOCK);
            assertThat(store.load(SLOW, dst).isLoaded()).isTrue();
            assertThat(sameBytes(dst, pattern(BLOCK, 1))).isTrue();
            assertThat(store.load(OTHER, dst).isLoaded()).isTrue();
            assertThat(store.stats().tiers().getFirst().residentBlocks()).isEqualTo(2);
        }
    }

    @Test
    void aPreparedWriteHoldsItsSlotUntilItCompletes() throws IOException {
        HostMemoryTier host = new HostMemoryTier(BLOCK, BLOCK); // one slot
        TierIndex index = new TierIndex(List.of(host), EvictionPolicyKind.LRU);

        assertThat(index.claimRoom(0, SLOW)).isEqualTo(TierIndex.Room.CLAIMED);
        Optional<TierIndex.Transfer> write = index.beginStore(SLOW, 0);
        assertThat(write).isPresent();
        assertThat(write.get().block().busy).as("in flight until completed").isTrue();
        assertThat(index.completeStore(write.get(), new IOException("disk full"), 0)).isFalse();
        assertThat(write.get().block().busy).isFalse();
        assertThat(index.tierOf(SLOW)).as("a failed write stores nothing").isEqualTo(OptionalInt.empty());

        assertThat(index.claimRoom(0, OTHER)).as("the failed write gave its slot back")
                .isEqualTo(TierIndex.Room.CLAIMED);
        TierIndex.Transfer other = index.beginStore(OTHER, 0).orElseThrow();
        host.put(OTHER, pattern(BLOCK, 2)); // the transfer worker's part, here by hand
        assertThat(index.completeStore(other, null, 0)).isTrue();
        assertThat(index.pin(OTHER)).isTrue();
        assertThat(index.claimRoom(0, SLOW)).as("the only block is pinned, no transfer in flight")
                .isEqualTo(TierIndex.Room.FULL);
        index.unpin(OTHER);
        assertThat(index.claimRoom(0, SLOW)).as("the last tier discards the unpinned victim")
                .isEqualTo(TierIndex.Room.CLAIMED);
        assertThat(index.tierOf(OTHER)).isEqualTo(OptionalInt.empty());
        host.close();
    }

    /** A tier that runs {@code beforeWrite} on the writing thread before each write, then writes. */
    private record HookedTier(KvTier tier, Consumer<BlockKey> beforeWrite) implements KvTier {
        @Override
        public String name() {
            return tier.name();
        }

        @Override
        public long blockBytes() {
            return tier.blockBytes();
        }

        @Override
        public int capacityBlocks() {
            return tier.capacityBlocks();
        }

        @Override
        public int usedBlocks() {
            return tier.usedBlocks();
        }

        @Override
        public boolean contains(BlockKey key) {
            return tier.contains(key);
        }

        @Override
        public void putWith(BlockKey key, BlockWriter writer) throws IOException {
            beforeWrite.accept(key);
            tier.putWith(key, writer);
        }

        @Override
        public boolean read(BlockKey key, BlockReader reader) throws IOException {
            return tier.read(key, reader);
        }

        @Override
        public boolean remove(BlockKey key) {
            return tier.remove(key);
        }

        @Override
        public void close() {
            tier.close();
        }
    }
}
