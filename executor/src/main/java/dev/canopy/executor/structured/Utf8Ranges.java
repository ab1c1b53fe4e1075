package dev.canopy.executor.structured;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns sets of Unicode code points into byte-level alternatives over their UTF-8 encodings, by the
 * splitting of Go's {@code regexp/syntax} and RE2: each code point range is cut where its encodings
 * differ in length or in a prefix, so every piece is a sequence of byte ranges. Surrogates are left
 * out (they have no UTF-8 encoding).
 */
final class Utf8Ranges {

    static final int MAX = 0x10FFFF;

    private Utf8Ranges() {}

    /** The node matching the UTF-8 encoding of any code point in the sorted, disjoint {@code ranges} ({lo, hi} pairs). */
    static GrammarNode of(List<int[]> ranges) {
        List<GrammarNode> options = new ArrayList<>();
        for (int[] r : ranges) {
            split(r[0], r[1], options);
        }
        return GrammarNode.alt(options);
    }

    private static void split(int lo, int hi, List<GrammarNode> out) {
        if (lo > hi) {
            return;
        }
        if (lo <= 0xDFFF && hi >= 0xD800) {
            split(lo, 0xD7FF, out);
            split(0xE000, hi, out);
            return;
        }
        for (int boundary : new int[] {0x7F, 0x7FF, 0xFFFF}) {
            if (lo <= boundary && hi > boundary) {
                split(lo, boundary, out);
                split(boundary + 1, hi, out);
                return;
            }
        }
        int n = length(lo);
        for (int i = 1; i < n; i++) {
            int m = (1 << (6 * i)) - 1;
            if ((lo & ~m) != (hi & ~m)) {
                if ((lo & m) != 0) {
                    split(lo, lo | m, out);
                    split((lo | m) + 1, hi, out);
                    return;
                }
                if ((hi & m) != m) {
                    split(lo, (hi & ~m) - 1, out);
                    split(hi & ~m, hi, out);
                    return;
                }
            }
        }
        byte[] a = encode(lo);
        byte[] b = encode(hi);
        List<GrammarNode> parts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            parts.add(new GrammarNode.Bytes(a[i] & 0xFF, b[i] & 0xFF));
        }
        out.add(parts.size() == 1 ? parts.get(0) : new GrammarNode.Seq(parts));
    }

    private static int length(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    private static byte[] encode(int cp) {
        return new String(Character.toChars(cp)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The complement of sorted disjoint ranges within 0..{@link #MAX}. */
    static List<int[]> complement(List<int[]> ranges) {
        List<int[]> out = new ArrayList<>();
        int next = 0;
        for (int[] r : ranges) {
            if (r[0] > next) {
                out.add(new int[] {next, r[0] - 1});
            }
            next = Math.max(next, r[1] + 1);
        }
        if (next <= MAX) {
            out.add(new int[] {next, MAX});
        }
        return out;
    }

    /** Sorts and merges overlapping or adjacent ranges. */
    static List<int[]> normalize(List<int[]> ranges) {
        List<int[]> sorted = new ArrayList<>(ranges);
        sorted.sort((x, y) -> Integer.compare(x[0], y[0]));
        List<int[]> out = new ArrayList<>();
        for (int[] r : sorted) {
            if (!out.isEmpty() && r[0] <= out.get(out.size() - 1)[1] + 1) {
                int[] last = out.get(out.size() - 1);
                last[1] = Math.max(last[1], r[1]);
            } else {
                out.add(new int[] {r[0], r[1]});
            }
        }
        return out;
    }
}
