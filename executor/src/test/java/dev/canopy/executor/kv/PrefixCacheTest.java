package dev.canopy.executor.kv;

import static dev.canopy.executor.kv.PrefixCache.NO_BLOCK;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrefixCacheTest {

    /** Every block at the same depth collides: only tokens and predecessor links tell them apart. */
    private final PrefixCache cache = new PrefixCache(4, 2, (parent, tokens, offset, length) -> parent + 1);

    @Test
    void aSuccessorOfAReusedBlockIsNoLongerFound() {
        TokenRun original = new TokenRun(1, 1, 2, 2);
        cache.register(0, cache.hash(original, 0, NO_BLOCK), NO_BLOCK);
        long secondHash = cache.hash(original, 1, 0);
        cache.register(1, secondHash, 0);
        assertThat(cache.find(cache.hash(original, 1, 0), 0)).isEqualTo(1);

        cache.replaceContent(0); // block 0 is handed out again and now holds other tokens
        TokenRun other = new TokenRun(3, 3, 2, 2);
        cache.register(0, cache.hash(other, 0, NO_BLOCK), NO_BLOCK);

        assertThat(cache.hash(other, 1, 0)).isEqualTo(secondHash);
        assertThat(cache.find(secondHash, 0)).isEqualTo(NO_BLOCK);
        cache.checkInvariants();
    }

    @Test
    void registeringUnderATakenHashDisplacesTheOldBlock() {
        TokenRun a = new TokenRun(1, 1);
        TokenRun b = new TokenRun(2, 2);
        cache.register(0, cache.hash(a, 0, NO_BLOCK), NO_BLOCK);
        cache.register(1, cache.hash(b, 0, NO_BLOCK), NO_BLOCK);

        assertThat(cache.isCached(0)).isFalse();
        assertThat(cache.isCached(1)).isTrue();
        assertThat(cache.find(cache.hash(a, 0, NO_BLOCK), NO_BLOCK)).isEqualTo(NO_BLOCK);
        assertThat(cache.find(cache.hash(b, 0, NO_BLOCK), NO_BLOCK)).isEqualTo(1);
        cache.checkInvariants();
    }
}
