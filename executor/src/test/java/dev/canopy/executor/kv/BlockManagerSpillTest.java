package dev.canopy.executor.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The block manager's side of prefix offload: an evicted cached block is offered to the {@link PrefixSpill} with the
 * tokens of its whole prefix, and an allocation whose cached prefix ends early takes the next blocks back from it.
 */
class BlockManagerSpillTest {

    /** Keeps every offered prefix (by its tokens) and restores any block whose exact prefix it kept. */
    private static final class KeepingSpill implements PrefixSpill {
        final List<int[]> offered = new ArrayList<>();
        final List<Integer> restoredInto = new ArrayList<>();

        @Override
        public void evicting(int block, int[] prefix) {
            offered.add(prefix.clone());
        }

        @Override
        public boolean restore(KvSequence seq, int index, int block) {
            for (int[] prefix : offered) {
                if (prefix.length == (index + 1) * 4 && startsWith(seq, prefix)) {
                    restoredInto.add(block);
                    return true;
                }
            }
            return false;
        }

        private static boolean startsWith(KvSequence seq, int[] prefix) {
            for (int i = 0; i < prefix.length; i++) {
                if (seq.tokenAt(i) != prefix[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    private final KeepingSpill spill = new KeepingSpill();
    private final BlockManager blocks = new BlockManager(new BlockManagerConfig(4, 4, true), BlockHasher.DEFAULT, spill);

    /**
     * Computes a 13-token prompt (blocks 0..2 full and cached, block 3 holds the last token), frees it, then lets an
     * unrelated 16-token prompt take all 4 blocks, evicting the three cached ones; {@code keepOther} keeps that one.
     */
    private void cacheThenEvict(boolean keepOther) {
        TokenRun a = TokenRun.counting(100, 13);
        blocks.allocate(a);
        blocks.markComputed(a.allComputed());
        blocks.free(a);
        TokenRun b = TokenRun.counting(500, 16);
        blocks.allocate(b);
        if (!keepOther) {
            blocks.free(b);
        }
    }

    @Test
    void anEvictedCachedBlockIsOfferedWithItsWholePrefix() {
        cacheThenEvict(true);

        assertThat(spill.offered).hasSize(3);
        assertThat(spill.offered).anySatisfy(p -> assertThat(p).isEqualTo(counting(100, 12)));
        assertThat(spill.offered).anySatisfy(p -> assertThat(p).isEqualTo(counting(100, 4)));
        blocks.checkInvariants();
    }

    @Test
    void anAllocationRestoresTheBlocksAfterItsCachedPrefixAndNamesThem() {
        cacheThenEvict(false); // the prefix is now only in the spill

        TokenRun again = TokenRun.counting(100, 14);
        assertThat(blocks.cachedPrefixBlocks(again)).isZero();
        assertThat(blocks.allocate(again)).as("tokens whose KV is there").isEqualTo(12);
        assertThat(spill.restoredInto).hasSize(3);
        assertThat(blocks.restoredBlockCount()).isEqualTo(3);

        TokenRun follower = TokenRun.counting(100, 9);
        assertThat(blocks.cachedPrefixBlocks(follower)).as("restored blocks are cached again").isEqualTo(2);
        blocks.checkInvariants();
    }

    @Test
    void theBlockOfTheLastTokenIsNeverRestored() {
        cacheThenEvict(false);

        TokenRun exact = TokenRun.counting(100, 12); // its last token is in block 2, which it must compute
        assertThat(blocks.allocate(exact)).isEqualTo(8);
        assertThat(spill.restoredInto).hasSize(2);
    }

    private static int[] counting(int first, int n) {
        int[] t = new int[n];
        Arrays.setAll(t, i -> first + i);
        return t;
    }
}
