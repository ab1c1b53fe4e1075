package dev.canopy.executor.sample;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Candidate tokens ordered by logit, highest first, ties broken by lower id. Each candidate is one long
 * whose natural order is that ranking ({@code (~orderedLogitBits << 32) | id}), so selection and sorting are
 * primitive and fully deterministic. {@link #keepBest} uses quickselect: O(n) instead of a full sort.
 */
final class TokenRanking {

    private long[] keys = new long[0]; // (capacity) the first count entries are the candidates
    private int count;

    /** Empties the ranking, making room for {@code capacity} candidates. */
    void reset(int capacity) {
        if (keys.length < capacity) {
            keys = new long[capacity];
        }
        count = 0;
    }

    void add(int tokenId, float logit) {
        int bits = Float.floatToRawIntBits(logit + 0.0f); // + 0 turns -0 into +0
        int ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF); // signed int order == float order
        keys[count++] = ((long) ~ordered << 32) | tokenId;
    }

    int count() {
        return count;
    }

    /** Token at {@code index} of the current order (rank order after {@link #sortBest}, else insertion order). */
    int tokenId(int index) {
        return (int) keys[index];
    }

    /** Keeps only the first {@code n} candidates of the current order. */
    void truncate(int n) {
        count = Math.min(count, n);
    }

    /**
     * Moves the candidates in {@code [from, count)} whose token satisfies {@code test} to the front of that range.
     *
     * @return the end of the moved candidates
     */
    int partition(int from, IntPredicate test) {
        int end = from;
        for (int i = from; i < count; i++) {
            if (test.test((int) keys[i])) {
                long t = keys[i];
                keys[i] = keys[end];
                keys[end++] = t;
            }
        }
        return end;
    }

    /** Puts candidates {@code [from, to)} in rank order. */
    void sortRange(int from, int to) {
        Arrays.sort(keys, from, to);
    }

    /** Keeps the {@code k} best candidates, in no particular order. */
    void keepBest(int k) {
        if (k < count) {
            selectSmallest(keys, count, k);
            count = k;
        }
    }

    /** Moves the {@code m} best candidates to the front in rank order; the rest follow in no particular order. */
    void sortBest(int m) {
        m = Math.min(m, count);
        if (m < count) {
            selectSmallest(keys, count, m);
        }
        Arrays.sort(keys, 0, m);
    }

    /** Rearranges {@code a[0, n)} so that {@code a[0, k)} holds its k smallest values; 0 < k < n. */
    static void selectSmallest(long[] a, int n, int k) {
        int lo = 0;
        int hi = n - 1;
        int rounds = 0;
        while (hi > lo) {
            if (++rounds > 64) { // pathological pivots: finish with a sort of what is left
                Arrays.sort(a, lo, hi + 1);
                return;
            }
            long pivot = medianOfThree(a[lo], a[(lo + hi) >>> 1], a[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long t = a[i];
                    a[i++] = a[j];
                    a[j--] = t;
                }
            }
            if (k - 1 <= j) {
                hi = j;
            } else if (k - 1 >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static long medianOfThree(long a, long b, long c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}
