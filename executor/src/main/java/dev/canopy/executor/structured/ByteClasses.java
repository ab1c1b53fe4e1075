package dev.canopy.executor.structured;

/**
 * The byte classes of an automaton: maximal runs of byte values that every byte edge either covers
 * entirely or not at all, so all bytes of a class lead from any state to the same successor. A JSON
 * grammar has a few dozen (digits, the letters of {@code true}, hex digits, UTF-8 lead and continuation
 * ranges, ...), which is how often a new DFA state computes a successor instead of 256 times.
 */
final class ByteClasses {

    private ByteClasses() {}

    /**
     * Fills {@code lo[b]} and {@code hi[b]} (both of length 256) with the first and last byte of the
     * class holding {@code b}, from the edges' (lo, hi, target) triples.
     */
    static void partition(int[][] byteEdges, byte[] lo, byte[] hi) {
        boolean[] startsClass = new boolean[257]; // (byte): a class begins at this byte
        startsClass[0] = true;
        startsClass[256] = true;
        for (int[] edges : byteEdges) {
            for (int i = 0; i < edges.length; i += 3) {
                startsClass[edges[i]] = true;
                startsClass[edges[i + 1] + 1] = true;
            }
        }
        int start = 0;
        for (int b = 1; b <= 256; b++) {
            if (startsClass[b]) {
                for (int x = start; x < b; x++) {
                    lo[x] = (byte) start;
                    hi[x] = (byte) (b - 1);
                }
                start = b;
            }
        }
    }
}
