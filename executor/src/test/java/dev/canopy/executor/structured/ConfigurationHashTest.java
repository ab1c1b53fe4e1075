package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link LazyDfa#mixedHash}: configurations (stack << 32 | state) that Arrays.hashCode folds together stay apart. */
class ConfigurationHashTest {

    @Test
    void smallStacksAndStatesDoNotCollide() {
        Set<Integer> mixed = new HashSet<>();
        Set<Integer> folded = new HashSet<>();
        for (long stack = 0; stack < 64; stack++) {
            for (long state = 0; state < 64; state++) {
                long[] one = {stack << 32 | state};
                mixed.add(LazyDfa.mixedHash(one));
                folded.add(Arrays.hashCode(one));
            }
        }
        assertThat(mixed).hasSize(64 * 64);
        assertThat(folded).as("Arrays.hashCode folds stack ^ state").hasSizeLessThanOrEqualTo(64);
    }

    @Test
    void pairsOfStatesSpread() {
        Set<Integer> hashes = new HashSet<>();
        int n = 0;
        for (int a = 0; a < 200; a++) {
            for (int b = a + 1; b < 200; b++) {
                hashes.add(LazyDfa.mixedHash(new long[] {a, 1L << 32 | b}));
                n++;
            }
        }
        assertThat(hashes.size()).isGreaterThan((int) (n * 0.99));
    }
}
