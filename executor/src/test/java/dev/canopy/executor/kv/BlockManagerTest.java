package dev.canopy.executor.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BlockManagerTest {

    private static BlockManager pool(int numBlocks) {
        return new BlockManager(new BlockManagerConfig(numBlocks, 4, true));
    }

    /** Allocates, then marks everything computed as a finished prefill would. */
    private static int prefill(BlockManager blocks, TokenRun seq) {
        int cached = blocks.allocate(seq);
        blocks.markComputed(seq.allComputed());
        return cached;
    }

    @Test
    void twoPromptsWithACommonPrefixShareItsFullBlocks() {
        BlockManager blocks = pool(10);
        TokenRun a = new TokenRun(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        TokenRun b = new TokenRun(1, 2, 3, 4, 5, 6, 7, 8, 50, 51, 52);

        assertThat(prefill(blocks, a)).isZero();
        assertThat(blocks.allocate(b)).isEqualTo(8);

        assertThat(b.blockTable().blockId(0)).isEqualTo(a.blockTable().blockId(0));
        assertThat(b.blockTable().blockId(1)).isEqualTo(a.blockTable().blockId(1));
        assertThat(b.blockTable().blockId(2)).isNotEqualTo(a.blockTable().blockId(2));
        assertThat(blocks.usedBlockCount()).isEqualTo(4);
        assertThat(blocks.prefixCacheStats()).isEqualTo(new PrefixCacheStats(2, 21, 8, 0));
        blocks.checkInvariants();

        blocks.free(a);
        assertThat(blocks.usedBlockCount()).isEqualTo(3);
        blocks.free(b);
        assertThat(blocks.freeBlockCount()).isEqualTo(10);
        blocks.checkInvariants();
    }

    @Test
    void blocksAreOnlySharedOnceTheirKvIsComputed() {
        BlockManager blocks = pool(10);
        TokenRun a = counting(12);
        blocks.allocate(a);
        blocks.markComputed(a.computed(3)); // not even one full block yet

        assertThat(blocks.allocate(counting(12))).isZero();
        assertThat(blocks.cachedBlockCount()).isZero();
    }

    @Test
    void aFullyCachedPromptStillComputesItsLastBlockThenMergesIt() {
        BlockManager blocks = pool(10);
        TokenRun a = counting(8);
        prefill(blocks, a);
        TokenRun b = counting(8);

        assertThat(blocks.allocate(b)).isEqualTo(4); // the block holding the last token is recomputed
        int duplicate = b.blockTable().blockId(1);
        assertThat(duplicate).isNotEqualTo(a.blockTable().blockId(1));

        blocks.markComputed(b.allComputed());
        assertThat(b.blockTable().toArray()).containsExactly(a.blockTable().toArray());
        assertThat(blocks.usedBlockCount()).isEqualTo(2);
        assertThat(blocks.prefixCacheStats().mergedBlocks()).isEqualTo(1);
        blocks.checkInvariants();
    }

    @Test
    void aHashCollisionWithDifferentTokensIsAMiss() {
        BlockHasher sumOfTokens = (parent, tokens, offset, length) -> {
            long sum = 0;
            for (int i = offset; i < offset + length; i++) {
                sum += tokens[i];
            }
            return sum;
        };
        BlockManager blocks = new BlockManager(new BlockManagerConfig(10, 4, true), sumOfTokens);
        prefill(blocks, new TokenRun(1, 2, 3, 4, 5, 6, 7, 8, 0));

        TokenRun sameSums = new TokenRun(4, 3, 2, 1, 8, 7, 6, 5, 0);
        assertThat(blocks.allocate(sameSums)).isZero();
        TokenRun firstBlockEqual = new TokenRun(1, 2, 3, 4, 8, 7, 6, 5, 0);
        assertThat(blocks.allocate(firstBlockEqual)).isEqualTo(4);
        blocks.checkInvariants();
    }

    @Test
    void equalTokensAfterADifferentPrefixAreAMissEvenWhenHashesCollide() {
        BlockManager blocks = new BlockManager(new BlockManagerConfig(10, 4, true), (p, t, o, l) -> 42L);
        prefill(blocks, new TokenRun(1, 2, 3, 4, 5, 6, 7, 8, 0)); // caches the second block last, under 42

        TokenRun startsWithTheSecondBlock = new TokenRun(5, 6, 7, 8, 0);
        assertThat(blocks.allocate(startsWithTheSecondBlock)).isZero();
        blocks.checkInvariants();
    }

    @Test
    void aFreedBlockKeepsItsContentAndIsRevivedByALaterPrompt() {
        BlockManager blocks = pool(4);
        TokenRun a = counting(10);
        prefill(blocks, a);
        int[] aBlocks = a.blockTable().toArray();
        blocks.free(a);
        assertThat(blocks.freeBlockCount()).isEqualTo(4);
        assertThat(blocks.cachedBlockCount()).isEqualTo(2);

        TokenRun b = counting(9);
        assertThat(blocks.canAllocate(b)).isTrue();
        assertThat(blocks.allocate(b)).isEqualTo(8);
        assertThat(b.blockTable().blockId(0)).isEqualTo(aBlocks[0]);
        assertThat(b.blockTable().blockId(1)).isEqualTo(aBlocks[1]);
        assertThat(blocks.freeBlockCount()).isEqualTo(1);
        blocks.checkInvariants();
    }

    @Test
    void blocksWithoutCachedContentAreReusedBeforeCachedOnes() {
        BlockManager blocks = pool(3);
        TokenRun a = counting(10); // two full cached blocks and a partial one
        prefill(blocks, a);
        blocks.free(a);

        TokenRun other = new TokenRun(90, 91);
        blocks.allocate(other); // takes the partial block
        assertThat(blocks.cachedBlockCount()).isEqualTo(2);
        blocks.free(other);

        assertThat(blocks.allocate(counting(9))).isEqualTo(8);
        blocks.checkInvariants();
    }

    @Test
    void theLeastRecentlyFreedCachedBlockIsEvictedFirst() {
        BlockManager blocks = pool(3);
        TokenRun first = new TokenRun(1, 1, 1, 1, 0);
        prefill(blocks, first);
        blocks.free(first);
        TokenRun second = new TokenRun(2, 2, 2, 2, 0);
        prefill(blocks, second);
        blocks.free(second);
        assertThat(blocks.cachedBlockCount()).isEqualTo(2);

        TokenRun x = new TokenRun(3);
        TokenRun y = new TokenRun(4);
        blocks.allocate(x); // takes the free block without content
        blocks.allocate(y); // must evict: the first prompt's block, freed longest ago
        blocks.free(x);
        blocks.free(y);

        TokenRun secondAgain = new TokenRun(2, 2, 2, 2, 0);
        assertThat(blocks.allocate(secondAgain)).isEqualTo(4);
        blocks.free(secondAgain);
        assertThat(blocks.allocate(new TokenRun(1, 1, 1, 1, 0))).isZero();
        blocks.checkInvariants();
    }

    @Test
    void aForkSharesBlocksAndCopiesTheSharedPartialBlockOnWrite() {
        BlockManager blocks = pool(6);
        TokenRun parent = new TokenRun(1, 2, 3, 4, 5, 6);
        prefill(blocks, parent);
        TokenRun child = new TokenRun(1, 2, 3, 4, 5, 6).computed(5);
        blocks.fork(parent, child);
        int shared = parent.blockTable().blockId(1);
        assertThat(child.blockTable().toArray()).containsExactly(parent.blockTable().toArray());
        assertThat(blocks.usedBlockCount()).isEqualTo(2);
        blocks.checkInvariants();

        assertThat(blocks.canAppend(child, 1)).isTrue();
        var copies = blocks.appendSlots(child, 1); // rewrites position 5, inside the shared block
        assertThat(copies).containsExactly(new BlockCopy(shared, child.blockTable().blockId(1)));
        assertThat(child.blockTable().blockId(0)).isEqualTo(parent.blockTable().blockId(0));

        parent.append(7);
        assertThat(blocks.appendSlots(parent, 1)).isEmpty(); // now the parent is the only holder
        assertThat(parent.blockTable().blockId(1)).isEqualTo(shared);
        blocks.checkInvariants();
        blocks.free(parent);
        blocks.free(child);
        assertThat(blocks.usedBlockCount()).isZero();
        blocks.checkInvariants();
    }

    @Test
    void appendingPastTheLastBlockTakesANewOneAndFailsWhenThePoolIsEmpty() {
        BlockManager blocks = pool(2);
        TokenRun seq = counting(8);
        prefill(blocks, seq);
        seq.append(100);

        assertThat(blocks.canAppend(seq, 1)).isFalse();
        assertThatThrownBy(() -> blocks.appendSlots(seq, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot append 1 KV slots at position 8: only 0 blocks are free");

        BlockManager bigger = pool(3);
        TokenRun again = counting(8);
        prefill(bigger, again);
        again.append(100);
        assertThat(bigger.appendSlots(again, 1)).isEmpty();
        assertThat(again.blockTable().size()).isEqualTo(3);
        assertThat(bigger.slotOf(again, 8)).isEqualTo(again.blockTable().blockId(2) * 4);
    }

    @Test
    void misuseIsRejectedWithTheValues() {
        BlockManager blocks = pool(2);
        TokenRun seq = counting(5);
        blocks.allocate(seq);
        assertThatThrownBy(() -> blocks.allocate(seq))
                .hasMessage("Cannot allocate blocks: the sequence already holds blocks [0, 1]");
        assertThatThrownBy(() -> blocks.allocate(counting(9)))
                .hasMessage("Cannot allocate KV blocks for a sequence of 9 tokens: it needs 3 free blocks but 0 are free");
        assertThatThrownBy(() -> blocks.appendSlots(seq, 6))
                .hasMessage("Cannot write KV for 6 tokens at position 0: the sequence has 5 tokens (at least 1 must be written)");
        assertThatThrownBy(() -> new BlockManagerConfig(0, 16, true))
                .hasMessage("Cannot configure the block manager: numBlocks must be in [1, 16777216] with "
                        + "numBlocks * blockSize below 2^31-8, got numBlocks=0, blockSize=16");
        assertThatThrownBy(() -> new BlockManagerConfig(8, 0, true))
                .hasMessage("Cannot configure the block manager: blockSize must be in [1, 4096], got 0");
    }

    @Test
    void withPrefixCachingOffNothingIsShared() {
        BlockManager blocks = new BlockManager(new BlockManagerConfig(10, 4, false));
        prefill(blocks, counting(10));
        assertThat(blocks.allocate(counting(10))).isZero();
        assertThat(blocks.cachedBlockCount()).isZero();
        assertThat(blocks.prefixCacheStats()).isEqualTo(new PrefixCacheStats(0, 0, 0, 0));
        blocks.checkInvariants();
    }

    private static TokenRun counting(int n) {
        return TokenRun.counting(1, n);
    }
}
