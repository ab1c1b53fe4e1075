package dev.canopy.executor.engine.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.sched.Sequence;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The swapper's copies around a step, on the CPU backend with stories260K's KV: a swap-out starts its reads and
 * stores the blocks as they were, even once the pool reused them, only when the step's pending reads are finished;
 * a sequence readmitted in the step that swapped it out still gets its blocks back; a block the tiers refuse when the
 * reads finish is recomputed, not restored.
 */
class KvSwapperTest {

    private PooledPrompt pool;
    private Sequence seq;
    private List<byte[]> original;

    @BeforeEach
    void computeAPrompt() {
        pool = new PooledPrompt();
        seq = pool.seq;
        original = contents(seq, 3);
    }

    @AfterEach
    void close() {
        pool.close();
    }

    private KvSwapper swapper(long hostBlocks) {
        return pool.swapper(hostBlocks);
    }

    @Test
    void aSwapOutIsStoredAfterTheStepWithTheBlocksAsTheyWere() {
        try (KvSwapper swapper = swapper(8)) {
            assertThat(swapper.swapOut(seq, 3)).isEqualTo(3);
            assertThat(swapper.pendingReads()).isEqualTo(3);
            assertThat(swapper.metrics().blocksSwappedOut()).as("before the step's forward ends").isZero();
            reuseThePool();

            swapper.finishPendingReads();
            assertThat(swapper.pendingReads()).isZero();
            assertThat(swapper.metrics().blocksSwappedOut()).isEqualTo(3);
            assertThat(swapper.swapIn(seq, 0, 3)).isEqualTo(3);
            assertThat(contents(seq, 3)).containsExactlyElementsOf(original);
        }
    }

    @Test
    void aSequenceReadmittedInTheStepThatSwappedItOutGetsItsBlocksBack() {
        try (KvSwapper swapper = swapper(8)) {
            swapper.swapOut(seq, 3);
            reuseThePool();
            assertThat(swapper.swapIn(seq, 0, 3)).isEqualTo(3);
            assertThat(swapper.pendingReads()).isZero();
            assertThat(contents(seq, 3)).containsExactlyElementsOf(original);
            assertThat(swapper.metrics().blocksNotRestored()).isZero();
        }
    }

    @Test
    void blocksTheTiersRefuseAfterTheStepAreRecomputedNotRestored() {
        try (KvSwapper swapper = swapper(1)) {
            assertThat(swapper.swapOut(seq, 3)).as("being stored").isEqualTo(3);
            swapper.finishPendingReads();
            SwapMetrics m = swapper.metrics();
            assertThat(m.blocksSwappedOut()).isEqualTo(1);
            assertThat(m.blocksNotStored()).isEqualTo(2);
            reuseThePool();
            assertThat(swapper.swapIn(seq, 0, 3)).isEqualTo(1);
            assertThat(contents(seq, 1)).containsExactlyElementsOf(original.subList(0, 1));
            assertThat(swapper.metrics().blocksNotRestored()).as("never stored: not counted twice").isZero();
        }
    }

    private void reuseThePool() {
        pool.reuseThePool();
    }

    private List<byte[]> contents(Sequence s, int n) {
        return pool.contents(s, n);
    }
}
