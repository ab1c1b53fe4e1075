package dev.canopy.prefixtree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongIntHashMapTest {

    @Test
    void agreesWithAHashMapUnderRandomPutsAndRemoves() {
        LongIntHashMap map = new LongIntHashMap(4);
        Map<Long, Integer> reference = new HashMap<>();
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 200_000; i++) {
            long key = random.nextLong(5_000); // a small key space: many overwrites, removals and probe chains
            if (random.nextInt(3) == 0) {
                assertThat(map.remove(key)).isEqualTo(reference.remove(key) != null);
            } else {
                map.put(key, i);
                reference.put(key, i);
            }
        }
        assertThat(map.size()).isEqualTo(reference.size());
        for (long key = 0; key < 5_000; key++) {
            assertThat(map.getOrDefault(key, -1)).isEqualTo(reference.getOrDefault(key, -1));
        }
    }
}
