package dev.canopy.executor.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Blocks of 4 tokens released once they leave a sliding window, as a local layer's pool does. */
class BlockManagerWindowTest {

    private static final int WINDOW = 6;

    private final BlockManager blocks = new BlockManager(new BlockManagerConfig(12, 4, true));

    /** Decodes {@code steps} tokens after a prefilled prompt, releasing before each step as the engine does. */
    private int decode(TokenRun seq, int steps, int firstToken) {
        int mostHeld = 0;
        for (int i = 0; i < steps; i++) {
            seq.append(firstToken + i);
            blocks.releaseOutOfWindow(seq, WINDOW);
            blocks.appendSlots(seq, 1);
            mostHeld = Math.max(mostHeld, seq.blockTable().heldBlockCount());
            blocks.markComputed(seq.computed(seq.numTokens()));
            blocks.checkInvariants();
        }
        return mostHeld;
    }

    private TokenRun prefill(TokenRun seq) {
        blocks.allocate(seq);
        blocks.markComputed(seq.allComputed());
        return seq;
    }

    @Test
    void aLongDecodeHoldsTheWindowAndOneBlock() {
        TokenRun seq = prefill(TokenRun.counting(100, 5));

        int mostHeld = decode(seq, 40, 500);

        assertThat(seq.blockTable().size()).isEqualTo(blocks.blocksFor(45));
        assertThat(mostHeld).isLessThanOrEqualTo(blocks.blocksFor(WINDOW) + 1);
        assertThat(blocks.usedBlockCount()).isEqualTo(seq.blockTable().heldBlockCount());
    }

    @Test
    void onlyBlocksNoRemainingQueryCanSeeAreReleased() {
        TokenRun seq = prefill(TokenRun.counting(100, 13)); // blocks 0..3, positions 0..12 computed

        // the next query at 13 sees 8..13: blocks 0 (0..3) and 1 (4..7) are out of reach, block 2 (8..11) is not
        assertThat(blocks.releaseOutOfWindow(seq, WINDOW)).isEqualTo(2);
        assertThat(seq.blockTable().numReleasedBlocks()).isEqualTo(2);
        assertThat(seq.blockTable().toArray()[0]).isEqualTo(PrefixCache.NO_BLOCK);
        assertThatThrownBy(() -> seq.blockTable().blockId(1)).hasMessageContaining("released");
        assertThat(blocks.releaseOutOfWindow(seq, WINDOW)).isZero();
        blocks.checkInvariants();
    }

    @Test
    void uncommittedBlocksAreKeptUntilMarkedComputed() {
        TokenRun seq = TokenRun.counting(100, 13);
        blocks.allocate(seq);
        seq.computed(13); // forward ran, markComputed not yet called

        assertThat(blocks.releaseOutOfWindow(seq, WINDOW)).isZero();
    }

    @Test
    void aReleasedPrefixStaysRevivableUntilItsBlocksAreTaken() {
        TokenRun first = prefill(TokenRun.counting(100, 13));
        blocks.releaseOutOfWindow(first, WINDOW);
        blocks.free(first);

        TokenRun second = TokenRun.counting(100, 13);
        assertThat(blocks.allocate(second)).isEqualTo(12); // blocks 0..2 revived: content intact in the free list
        blocks.checkInvariants();
    }

    @Test
    void aPrefixWhoseReleasedBlockWasTakenIsCutThere() {
        TokenRun first = prefill(TokenRun.counting(100, 13));
        blocks.releaseOutOfWindow(first, WINDOW); // blocks 0, 1 back in the free list, still named
        TokenRun other = prefill(TokenRun.counting(700, 4 * 9)); // 8 never-used blocks, then released block 1

        TokenRun second = TokenRun.counting(100, 13);
        blocks.free(other);
        assertThat(blocks.cachedPrefixBlocks(second)).isEqualTo(1); // block 1 holds other KV now: recompute from it
        blocks.checkInvariants();
    }

    @Test
    void aForkedSampleSharesTheHeldBlocksAndTheHoles() {
        TokenRun parent = prefill(TokenRun.counting(100, 13));
        blocks.releaseOutOfWindow(parent, WINDOW);
        TokenRun child = TokenRun.counting(100, 13).computed(12);

        blocks.fork(parent, child);

        assertThat(child.blockTable().numReleasedBlocks()).isEqualTo(2);
        assertThat(child.blockTable().blockId(2)).isEqualTo(parent.blockTable().blockId(2));
        blocks.free(parent);
        blocks.free(child);
        assertThat(blocks.usedBlockCount()).isZero();
        blocks.checkInvariants();
    }

    @Test
    void aZeroWindowIsRefused() {
        TokenRun seq = prefill(TokenRun.counting(100, 5));

        assertThatThrownBy(() -> blocks.releaseOutOfWindow(seq, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least 1 token");
    }
}
