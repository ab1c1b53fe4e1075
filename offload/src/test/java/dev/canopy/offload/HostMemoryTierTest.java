package dev.canopy.offload;

import static dev.canopy.offload.TestBlocks.buffer;
import static dev.canopy.offload.TestBlocks.pattern;
import static dev.canopy.offload.TestBlocks.sameBytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class HostMemoryTierTest {

    private static final long BLOCK = 24;

    @Test
    void aBlockComesBackWithTheSameBytesUntilRemoved() throws IOException {
        try (HostMemoryTier tier = new HostMemoryTier(4 * BLOCK, BLOCK)) {
            BlockKey key = new BlockKey(7, 2);
            MemorySegment block = pattern(BLOCK, 1);
            tier.put(key, block);
            block.fill((byte) 0); // the tier keeps its own copy

            MemorySegment out = buffer(BLOCK);
            assertThat(tier.get(key, out)).isTrue();
            assertThat(sameBytes(out, pattern(BLOCK, 1))).isTrue();
            assertThat(tier.contains(key)).isTrue();
            assertThat(tier.usedBytes()).isEqualTo(BLOCK);

            assertThat(tier.remove(key)).isTrue();
            assertThat(tier.remove(key)).isFalse();
            assertThat(tier.get(key, out)).isFalse();
            assertThat(tier.usedBlocks()).isZero();
        }
    }

    @Test
    void theByteLimitCapsTheBlocksAndFreedSlotsAreReused() throws IOException {
        try (HostMemoryTier tier = new HostMemoryTier(3 * BLOCK + 5, BLOCK)) {
            assertThat(tier.capacityBlocks()).isEqualTo(3);
            assertThat(tier.capacityBytes()).isEqualTo(3 * BLOCK);
            for (int i = 0; i < 3; i++) {
                tier.put(new BlockKey(1, i), pattern(BLOCK, i));
            }
            assertThatThrownBy(() -> tier.put(new BlockKey(1, 3), pattern(BLOCK, 3)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot store block 1/3 in the host tier: all 3 slots are in use");

            tier.remove(new BlockKey(1, 1));
            tier.put(new BlockKey(1, 3), pattern(BLOCK, 3));
            MemorySegment out = buffer(BLOCK);
            for (int i : new int[] {0, 2, 3}) {
                assertThat(tier.get(new BlockKey(1, i), out)).isTrue();
                assertThat(sameBytes(out, pattern(BLOCK, i))).isTrue();
            }
        }
    }

    @Test
    void memoryIsAllocatedInSlabsOnlyWhenNeeded() throws IOException {
        long block = 1 << 20;
        try (HostMemoryTier tier = new HostMemoryTier(1000 * block, block)) {
            assertThat(tier.allocatedBytes()).isZero();
            tier.put(new BlockKey(1, 0), pattern(block, 1));
            assertThat(tier.allocatedBytes()).isEqualTo(HostMemoryTier.SLAB_BYTES);
        }
    }

    @Test
    void aKeyIsStoredOnlyOnceAndBuffersMustBeOneBlock() throws IOException {
        try (HostMemoryTier tier = new HostMemoryTier(4 * BLOCK, BLOCK)) {
            tier.put(new BlockKey(1, 0), pattern(BLOCK, 1));
            assertThatThrownBy(() -> tier.put(new BlockKey(1, 0), pattern(BLOCK, 2)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("Cannot store block 1/0 in the host tier: a block of that key is already stored");
            assertThatThrownBy(() -> tier.put(new BlockKey(1, 1), pattern(BLOCK - 1, 2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Cannot store a block in the host tier: the buffer has 23 bytes but blocks have 24");
            assertThatThrownBy(() -> new HostMemoryTier(BLOCK - 1, BLOCK))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("a capacity of 23 bytes must hold between 1 and 2^31-8 blocks of 24 bytes");
        }
    }

    @Test
    void aFailedWriterStoresNothingAndFreesTheSlot() throws IOException {
        try (HostMemoryTier tier = new HostMemoryTier(BLOCK, BLOCK)) {
            assertThatThrownBy(() -> tier.putWith(new BlockKey(1, 0), slot -> {
                throw new IOException("source gone");
            })).isInstanceOf(IOException.class).hasMessage("source gone");
            assertThat(tier.contains(new BlockKey(1, 0))).isFalse();
            tier.put(new BlockKey(1, 1), pattern(BLOCK, 1)); // the only slot is free again
        }
    }

    @Test
    void aBlockRemovedWhileBeingReadIsReadWholeAndItsSlotReusedAfterwards() throws IOException {
        try (HostMemoryTier tier = new HostMemoryTier(BLOCK, BLOCK)) {
            BlockKey key = new BlockKey(1, 0);
            tier.put(key, pattern(BLOCK, 1));
            MemorySegment seen = buffer(BLOCK);
            tier.read(key, block -> {
                assertThat(tier.remove(key)).isTrue();
                assertThatThrownBy(() -> tier.put(new BlockKey(2, 0), pattern(BLOCK, 2)))
                        .isInstanceOf(IllegalStateException.class); // the slot is still being read
                seen.copyFrom(block);
            });
            assertThat(sameBytes(seen, pattern(BLOCK, 1))).isTrue();
            tier.put(new BlockKey(2, 0), pattern(BLOCK, 2));
        }
    }

    @Test
    void threadsWritingReadingAndRemovingConcurrentlySeeOnlyTheirOwnBytes() throws Exception {
        int threads = 4;
        int rounds = 300;
        try (HostMemoryTier tier = new HostMemoryTier(threads * 3 * BLOCK, BLOCK);
             ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int owner = t;
                results.add(pool.submit(() -> {
                    MemorySegment out = buffer(BLOCK);
                    int checked = 0;
                    for (int r = 0; r < rounds; r++) {
                        BlockKey key = new BlockKey(owner, r % 3);
                        tier.remove(key);
                        tier.put(key, pattern(BLOCK, owner * 10_000L + r));
                        if (tier.get(key, out) && sameBytes(out, pattern(BLOCK, owner * 10_000L + r))) {
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(rounds);
            }
            assertThat(tier.usedBlocks()).isEqualTo(threads * 3);
        }
    }
}
