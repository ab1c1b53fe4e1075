package dev.canopy.executor.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BlockHashTableTest {

    @Test
    void behavesLikeAMapUnderRandomPutsAndRemoves() {
        SplittableRandom random = new SplittableRandom(7);
        BlockHashTable table = new BlockHashTable(64);
        Map<Long, Integer> expected = new HashMap<>();
        for (int op = 0; op < 20_000; op++) {
            long key = random.nextInt(100) * 0x1_0000_0000L; // few keys, low bits equal: many probe collisions
            if (random.nextBoolean() && (expected.size() < 64 || expected.containsKey(key))) {
                int block = random.nextInt(64);
                table.put(key, block);
                expected.put(key, block);
            } else {
                table.remove(key);
                expected.remove(key);
            }
            assertThat(table.size()).isEqualTo(expected.size());
        }
        for (long k = 0; k < 100; k++) {
            long key = k * 0x1_0000_0000L;
            assertThat(table.get(key)).isEqualTo(expected.getOrDefault(key, BlockHashTable.ABSENT));
        }
    }
}
