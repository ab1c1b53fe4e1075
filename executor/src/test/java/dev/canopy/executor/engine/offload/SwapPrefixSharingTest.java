package dev.canopy.executor.engine.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.kv.PrefixSpill;
import dev.canopy.executor.sched.Sequence;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One key scheme on the CPU backend with stories260K's KV: a swapped-out sequence's full blocks and the prefix-cache
 * blocks of the same tokens are one stored block each, whichever side stored it first; swapping the sequence back in
 * (or discarding it) keeps the prefix cache's copies, which still restore the exact bytes.
 */
class SwapPrefixSharingTest {

    private static final int BLOCK_SIZE = PooledPrompt.BLOCK_SIZE;
    private static final int[] PROMPT = PooledPrompt.PROMPT;

    private final PooledPrompt pool = new PooledPrompt(); // a fresh one per test
    private final Sequence seq = pool.seq;
    private final List<byte[]> original = pool.contents(seq, 4);

    @AfterEach
    void close() {
        pool.close();
    }

    private KvSwapper swapper() {
        return pool.swapper(16);
    }

    /** Offers the sequence's three full blocks to the prefix spill as the pool evicts them, and writes them. */
    private static void spillPrefixBlocks(KvSwapper swapper, Sequence s) {
        PrefixSpill spill = swapper.prefixSpill();
        for (int k = 0; k < 3; k++) {
            spill.evicting(s.blockTable().blockId(k), Arrays.copyOf(PROMPT, (k + 1) * BLOCK_SIZE));
        }
        swapper.finishPendingReads();
    }

    @Test
    void aSwapOutSharesSpilledPrefixBlocksAndItsSwapInKeepsThem() {
        try (KvSwapper swapper = swapper()) {
            spillPrefixBlocks(swapper, seq);
            assertThat(swapper.storedBlocks()).isEqualTo(3);

            assertThat(swapper.swapOut(seq, 4)).isEqualTo(4);
            swapper.finishPendingReads();
            assertThat(swapper.storedBlocks()).as("three shared full blocks and the partial last one").isEqualTo(4);
            assertThat(swapper.metrics().blocksShared()).isEqualTo(3);
            assertThat(swapper.metrics().blocksSwappedOut()).as("only the partial block written").isEqualTo(1);

            pool.reuseThePool();
            assertThat(swapper.swapIn(seq, 0, 4)).isEqualTo(4);
            assertThat(pool.contents(seq, 4)).containsExactlyElementsOf(original);
            assertThat(swapper.storedBlocks()).as("the prefix cache's copies stay").isEqualTo(3);

            assertPrefixRestores(swapper);
        }
    }

    @Test
    void aPrefixSpillOfSwappedOutBlocksSharesThemAndOutlivesTheSequence() {
        try (KvSwapper swapper = swapper()) {
            assertThat(swapper.swapOut(seq, 3)).isEqualTo(3);
            swapper.finishPendingReads();
            assertThat(swapper.storedBlocks()).isEqualTo(3);

            spillPrefixBlocks(swapper, seq);
            assertThat(swapper.storedBlocks()).as("each block stored once").isEqualTo(3);
            assertThat(swapper.metrics().prefixes().written()).isZero();
            assertThat(swapper.metrics().prefixes().alreadyStored()).isEqualTo(3);

            swapper.discard(seq);
            assertThat(swapper.storedBlocks()).as("the prefix cache still holds them").isEqualTo(3);
            assertPrefixRestores(swapper);
        }
    }

    @Test
    void blocksSpilledInTheStepThatSwapsThemOutAreReadOnce() {
        try (KvSwapper swapper = swapper()) {
            swapper.swapOut(seq, 3);
            PrefixSpill spill = swapper.prefixSpill();
            for (int k = 0; k < 3; k++) { // evicted while the swap-out's reads are still pending
                spill.evicting(seq.blockTable().blockId(k), Arrays.copyOf(PROMPT, (k + 1) * BLOCK_SIZE));
            }
            assertThat(swapper.pendingReads()).isEqualTo(3);
            swapper.finishPendingReads();
            assertThat(swapper.storedBlocks()).isEqualTo(3);
            swapper.discard(seq);
            assertPrefixRestores(swapper);
        }
    }

    /** The prefix cache restores the three full blocks into a fresh pool with their exact bytes. */
    private void assertPrefixRestores(KvSwapper swapper) {
        pool.reuseThePool();
        for (int k = 0; k < 3; k++) {
            assertThat(swapper.prefixSpill().restore(seq, k, seq.blockTable().blockId(k))).as("block " + k).isTrue();
        }
        assertThat(pool.contents(seq, 3)).containsExactlyElementsOf(original.subList(0, 3));
    }
}
