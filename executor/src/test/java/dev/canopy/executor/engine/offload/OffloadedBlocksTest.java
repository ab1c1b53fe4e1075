package dev.canopy.executor.engine.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.engine.offload.OffloadedBlocks.Hold;
import dev.canopy.offload.BlockKey;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.HostMemoryTier;
import dev.canopy.offload.TieredKvStore;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The owner count per key, with no model: a block is written once whoever holds it, shared by later owners of the
 * same tokens, kept while any owner holds it and removed from the tiers by the last release; a key naming other
 * tokens (a hash collision) is refused.
 */
class OffloadedBlocksTest {

    private static final long BLOCK_BYTES = 64;
    private static final int[] TOKENS = {5, 6, 7, 8};
    private static final BlockKey KEY = BlockKeys.of(TOKENS, 4, 4)[0];
    private static final OffloadedBlocks.Owner SEQ_1 = new OffloadedBlocks.Swapped(1, 10);
    private static final OffloadedBlocks.Owner SEQ_2 = new OffloadedBlocks.Swapped(2, 20);
    private static final OffloadedBlocks.Owner PREFIX = OffloadedBlocks.PrefixCache.INSTANCE;

    private final Arena arena = Arena.ofConfined();
    private final TieredKvStore store = new TieredKvStore(List.of(new HostMemoryTier(8 * BLOCK_BYTES, BLOCK_BYTES)),
            EvictionPolicyKind.PLAN_AWARE, 1);
    private final OffloadedBlocks blocks = new OffloadedBlocks(store, () -> { });

    @AfterEach
    void close() {
        store.close();
        arena.close();
    }

    private MemorySegment payload(int seed) {
        MemorySegment m = arena.allocate(BLOCK_BYTES);
        for (int i = 0; i < BLOCK_BYTES; i++) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) (seed + i));
        }
        return m;
    }

    @Test
    void aBlockIsWrittenOnceAndSharedByLaterOwnersOfTheSameTokens() {
        assertThat(blocks.hold(KEY, PREFIX, TOKENS, 4)).isEqualTo(Hold.WRITE);
        assertThat(blocks.hold(KEY, SEQ_1, TOKENS.clone(), 4)).as("its read is pending").isEqualTo(Hold.SHARED);
        assertThat(blocks.write(KEY, payload(1))).isTrue();
        assertThat(blocks.hold(KEY, SEQ_2, TOKENS.clone(), 4)).isEqualTo(Hold.SHARED);
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.stats().tiers().getFirst().blocksIn()).as("one write for three owners").isEqualTo(1);
    }

    @Test
    void releasingOneOwnerKeepsTheCopyAndTheLastReleaseRemovesIt() {
        blocks.hold(KEY, SEQ_1, TOKENS, 4);
        blocks.write(KEY, payload(1));
        blocks.hold(KEY, PREFIX, TOKENS, 4);

        blocks.release(KEY, SEQ_1);
        MemorySegment out = arena.allocate(BLOCK_BYTES);
        assertThat(blocks.load(KEY, out)).isTrue();
        assertThat(out.mismatch(payload(1))).isEqualTo(-1);
        blocks.release(KEY, SEQ_1);
        assertThat(store.size()).as("a second release by the same owner changes nothing").isEqualTo(1);

        blocks.release(KEY, PREFIX);
        assertThat(store.size()).isZero();
        assertThat(blocks.size()).isZero();
    }

    @Test
    void aBlockTheCachesPlanCallsUnusedIsStoredWhileASwappedOutSequenceHoldsIt() {
        blocks.hold(KEY, PREFIX, TOKENS, 4);
        blocks.planPrefixUse(KEY, OptionalLong.empty(), true); // no waiting request reads it
        assertThat(blocks.write(KEY, payload(1))).as("dropped by the plan-aware tier").isFalse();

        blocks.hold(KEY, PREFIX, TOKENS, 4);
        blocks.planPrefixUse(KEY, OptionalLong.empty(), true);
        assertThat(blocks.hold(KEY, SEQ_2, TOKENS, 4)).isEqualTo(Hold.SHARED);
        assertThat(blocks.write(KEY, payload(1))).as("the swapped-out sequence's next use counts").isTrue();
    }

    @Test
    void aKeyHeldForOtherTokensIsRefused() {
        blocks.hold(KEY, SEQ_1, TOKENS, 4);
        blocks.write(KEY, payload(1));
        assertThat(blocks.hold(KEY, SEQ_2, new int[] {5, 6, 7, 9}, 4)).isEqualTo(Hold.TAKEN);
        assertThat(blocks.hold(KEY, SEQ_2, TOKENS, 3)).as("fewer tokens").isEqualTo(Hold.TAKEN);
        blocks.release(KEY, SEQ_1);
        assertThat(store.size()).isZero();
    }

    @Test
    void aReadFinishedAfterItsOwnersLeftWritesNothing() {
        assertThat(blocks.hold(KEY, SEQ_1, TOKENS, 4)).isEqualTo(Hold.WRITE);
        blocks.release(KEY, SEQ_1);
        assertThat(blocks.write(KEY, payload(1))).isFalse();
        assertThat(store.size()).isZero();
        assertThat(blocks.size()).isZero();
    }
}
