package dev.canopy.executor.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A global pool holding whole sequences beside a local pool holding windows of 6 tokens, in blocks of 4. */
class WindowedBlocksTest {

    private static final int WINDOW = 6;

    private static WindowedBlocks pools(int globalBlocks, int localBlocks, boolean prefixCaching) {
        return new WindowedBlocks(new BlockManager(new BlockManagerConfig(globalBlocks, 4, prefixCaching)),
                new BlockManager(new BlockManagerConfig(localBlocks, 4, prefixCaching)), WINDOW);
    }

    private static WindowedTokenRun run(int first, int n) {
        return new WindowedTokenRun(TokenRun.counting(first, n));
    }

    private static int prefill(WindowedBlocks blocks, WindowedTokenRun seq) {
        int cached = blocks.allocate(seq);
        blocks.markComputed(seq.allComputed());
        return cached;
    }

    /** Decodes {@code steps} tokens as the engine would; returns the most local blocks held at once. */
    private static int decode(WindowedBlocks blocks, WindowedTokenRun seq, int steps) {
        int mostLocal = 0;
        for (int i = 0; i < steps; i++) {
            seq.append(900 + i);
            blocks.releaseOutOfWindow(seq);
            blocks.appendSlots(seq, 1);
            mostLocal = Math.max(mostLocal, seq.localBlockTable().heldBlockCount());
            blocks.markComputed(seq.computed(seq.numTokens()));
            blocks.checkInvariants();
        }
        return mostLocal;
    }

    @ParameterizedTest(name = "prefix caching {0}")
    @ValueSource(booleans = {true, false})
    void aLongSequenceHoldsItsContextGloballyButOnlyItsWindowLocally(boolean prefixCaching) {
        WindowedBlocks blocks = pools(16, 3, prefixCaching); // unfreed, 45 tokens would need 12 local blocks
        WindowedTokenRun seq = run(100, 5);
        prefill(blocks, seq);

        int mostLocal = decode(blocks, seq, 40);

        assertThat(blocks.global().usedBlockCount()).isEqualTo(blocks.global().blocksFor(45));
        assertThat(mostLocal).isLessThanOrEqualTo(blocks.local().blocksFor(WINDOW) + 1);
        assertThat(blocks.local().usedBlockCount()).isEqualTo(seq.localBlockTable().heldBlockCount());
        blocks.free(seq);
        assertThat(blocks.global().usedBlockCount() + blocks.local().usedBlockCount()).isZero();
    }

    @Test
    void aSecondSequenceAdmitsBecauseTheFirstGaveBackItsOldLocalBlocks() {
        WindowedBlocks blocks = pools(32, 5, true);
        WindowedTokenRun first = run(100, 5);
        prefill(blocks, first);
        decode(blocks, first, 20);
        WindowedTokenRun second = run(500, 5);

        assertThat(blocks.canAllocate(second)).isTrue();
        prefill(blocks, second);
        blocks.checkInvariants();
    }

    @Test
    void aPromptSharesAPrefixBothPoolsStillHold() {
        WindowedBlocks blocks = pools(16, 8, true);
        WindowedTokenRun first = run(100, 13);
        prefill(blocks, first);
        blocks.releaseOutOfWindow(first); // local blocks 0 and 1 go back to the pool, still named
        blocks.free(first);

        WindowedTokenRun second = run(100, 13);
        assertThat(blocks.allocate(second)).isEqualTo(12);
        assertThat(second.localBlockTable().blockId(0)).isNotEqualTo(PrefixCache.NO_BLOCK);
        blocks.checkInvariants();
    }

    @Test
    void aPrefixWhoseLocalBlockWasTakenIsRecomputedFromThere() {
        WindowedBlocks blocks = pools(16, 4, true);
        WindowedTokenRun first = run(100, 13);
        prefill(blocks, first);
        blocks.releaseOutOfWindow(first);
        blocks.free(first);
        prefill(blocks, run(700, 16)); // takes all 4 local blocks: the first prompt's local KV is gone

        WindowedTokenRun second = run(100, 13);
        assertThat(blocks.global().cachedPrefixBlocks(second)).isEqualTo(3);
        assertThat(blocks.canAllocate(second)).isFalse(); // the local pool is full now
    }

    @Test
    void aGlobalHitIsCutWhereTheLocalChainEnds() {
        WindowedBlocks blocks = pools(16, 10, true);
        WindowedTokenRun first = run(100, 13);
        prefill(blocks, first);
        int[] firstGlobal = first.blockTable().toArray();
        blocks.releaseOutOfWindow(first); // local blocks of positions 4..7, then 0..3 go to the free list's tail
        blocks.free(first);
        WindowedTokenRun other = run(700, 28); // 7 blocks: the 6 never used and the first prompt's last one
        prefill(blocks, other);
        WindowedTokenRun more = run(800, 4); // the first prompt's local block of positions 4..7
        prefill(blocks, more);
        blocks.free(other);
        blocks.free(more);

        WindowedTokenRun second = run(100, 13);
        assertThat(blocks.global().cachedPrefixBlocks(second)).isEqualTo(3);
        assertThat(blocks.allocate(second)).isEqualTo(4); // from position 4 on, both pools compute afresh
        assertThat(second.blockTable().blockId(0)).isEqualTo(firstGlobal[0]);
        assertThat(second.blockTable().blockId(1)).isNotEqualTo(firstGlobal[1]);
        blocks.checkInvariants();
    }

    @Test
    void aForkedSampleSharesBothPools() {
        WindowedBlocks blocks = pools(16, 8, true);
        WindowedTokenRun parent = run(100, 13);
        prefill(blocks, parent);
        WindowedTokenRun child = run(100, 13).computed(12);

        blocks.fork(parent, child);
        blocks.free(parent);
        blocks.free(child);

        assertThat(blocks.global().usedBlockCount() + blocks.local().usedBlockCount()).isZero();
        blocks.checkInvariants();
    }

    @Test
    void poolsOfDifferentBlockSizesAreRefused() {
        BlockManager global = new BlockManager(new BlockManagerConfig(8, 4, true));
        BlockManager local = new BlockManager(new BlockManagerConfig(8, 8, true));

        assertThatThrownBy(() -> new WindowedBlocks(global, local, WINDOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("same block size");
    }
}
