package dev.canopy.offload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LruPolicyTest {

    private static BlockKey k(int i) {
        return new BlockKey(1, i);
    }

    @Test
    void theLeastRecentlyUsedBlockIsEvictedFirst() {
        LruPolicy lru = new LruPolicy();
        lru.onInsert(k(0));
        lru.onInsert(k(1));
        lru.onInsert(k(2));
        lru.onAccess(k(0));

        assertThat(lru.victim(key -> true)).contains(k(1));
        lru.onRemove(k(1));
        assertThat(lru.victim(key -> true)).contains(k(2));
        assertThat(lru.size()).isEqualTo(2);
    }

    @Test
    void ineligibleBlocksAreSkippedAndUnknownKeysIgnored() {
        LruPolicy lru = new LruPolicy();
        lru.onInsert(k(0));
        lru.onInsert(k(1));
        lru.onAccess(k(9));
        lru.onRemove(k(9));

        assertThat(lru.victim(key -> !key.equals(k(0)))).contains(k(1));
        assertThat(lru.victim(key -> false)).isEmpty();
        assertThat(lru.hasFutureUse(k(0))).isTrue();
        assertThat(lru.evictsBefore(k(5), k(0))).isFalse();
    }
}
