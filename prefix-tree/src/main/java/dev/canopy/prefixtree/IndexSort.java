package dev.canopy.prefixtree;

import java.util.function.IntBinaryOperator;

/** A stable merge sort of {@code int} ids under a primitive comparator: no boxing, for large id arrays. */
final class IndexSort {

    private static final int INSERTION_LIMIT = 16;

    private IndexSort() {
    }

    /** Sorts {@code ids[from..to)} stably by {@code comparator} (negative: left first). */
    static void sort(int[] ids, int from, int to, IntBinaryOperator comparator) {
        if (to - from < 2) {
            return;
        }
        int[] scratch = new int[to - from]; // (to - from) merge buffer
        mergeSort(ids, from, to, comparator, scratch);
    }

    private static void mergeSort(int[] ids, int from, int to, IntBinaryOperator comparator, int[] scratch) {
        if (to - from <= INSERTION_LIMIT) {
            insertionSort(ids, from, to, comparator);
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(ids, from, mid, comparator, scratch);
        mergeSort(ids, mid, to, comparator, scratch);
        if (comparator.applyAsInt(ids[mid - 1], ids[mid]) <= 0) {
            return;
        }
        int left = from;
        int right = mid;
        int k = 0;
        while (left < mid && right < to) {
            scratch[k++] = comparator.applyAsInt(ids[right], ids[left]) < 0 ? ids[right++] : ids[left++];
        }
        while (left < mid) {
            scratch[k++] = ids[left++];
        }
        while (right < to) {
            scratch[k++] = ids[right++];
        }
        System.arraycopy(scratch, 0, ids, from, k);
    }

    private static void insertionSort(int[] ids, int from, int to, IntBinaryOperator comparator) {
        for (int i = from + 1; i < to; i++) {
            int id = ids[i];
            int j = i - 1;
            while (j >= from && comparator.applyAsInt(ids[j], id) > 0) {
                ids[j + 1] = ids[j];
                j--;
            }
            ids[j + 1] = id;
        }
    }
}
