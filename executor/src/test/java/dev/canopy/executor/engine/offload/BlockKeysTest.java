package dev.canopy.executor.engine.offload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.kv.BlockHasher;
import dev.canopy.offload.BlockKey;
import org.junit.jupiter.api.Test;

/** The one key scheme: full blocks by the prefix cache's chain hash, a partial last block marked apart. */
class BlockKeysTest {

    private static final int[] TOKENS = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

    @Test
    void fullBlocksAreNamedByTheirChainHash() {
        BlockKey[] keys = BlockKeys.of(TOKENS, 8, 4);
        long h0 = BlockHasher.DEFAULT.hash(BlockHasher.ROOT_HASH, TOKENS, 0, 4);
        long h1 = BlockHasher.DEFAULT.hash(h0, TOKENS, 4, 4);
        assertThat(keys).containsExactly(BlockKeys.full(h0, 0), BlockKeys.full(h1, 1));
        assertThat(keys[1].owner()).isNotNegative();
    }

    @Test
    void aPartialLastBlockIsMarkedAndDependsOnTheTokensPresent() {
        BlockKey[] nine = BlockKeys.of(TOKENS, 9, 4);
        BlockKey[] ten = BlockKeys.of(TOKENS, 10, 4);
        assertThat(nine).hasSize(3);
        assertThat(nine[2].owner()).as("marked: never a full block's key").isNegative();
        assertThat(nine[2].index()).isEqualTo(2);
        assertThat(nine[2]).isNotEqualTo(ten[2]);
        assertThat(nine[1]).as("the full blocks before it are the same").isEqualTo(ten[1]);
    }

    @Test
    void theSameTokensGiveTheSameKeys() {
        assertThat(BlockKeys.of(TOKENS.clone(), 10, 4)).containsExactly(BlockKeys.of(TOKENS, 10, 4));
        int[] other = TOKENS.clone();
        other[0] = 99;
        assertThat(BlockKeys.of(other, 10, 4)[1]).as("a chain hash covers the whole prefix")
                .isNotEqualTo(BlockKeys.of(TOKENS, 10, 4)[1]);
    }
}
