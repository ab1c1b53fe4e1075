package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ByteClassesTest {

    @Test
    void bytesThatNoEdgeTellsApartShareAClass() {
        int[][] edges = { // (state, 3 * edges): lo, hi, target
            {'0', '9', 1, 'a', 'f', 2},
            {'a', 'z', 3},
            {},
        };
        byte[] lo = new byte[256];
        byte[] hi = new byte[256];

        ByteClasses.partition(edges, lo, hi);

        assertThat(classOf('3', lo, hi)).isEqualTo("0..9");
        assertThat(classOf('c', lo, hi)).isEqualTo("a..f");
        assertThat(classOf('q', lo, hi)).isEqualTo("g..z");
        assertThat(classOf('{', lo, hi)).isEqualTo("{..ÿ");
        assertThat(classOf(0, lo, hi)).isEqualTo("\0../");
    }

    private static String classOf(int b, byte[] lo, byte[] hi) {
        return (char) (lo[b] & 0xFF) + ".." + (char) (hi[b] & 0xFF);
    }
}
