package dev.canopy.executor.chat.jinja;

import java.util.ArrayList;
import java.util.List;

/**
 * Python string semantics over Java strings: lengths, indices and slices count code points (as Python
 * does), searches run in time linear in their operands (a long needle uses Knuth-Morris-Pratt, so no
 * search is quadratic) and are charged to the render's {@link Budget} before they run, and
 * {@code repr} quotes and escapes as Python does.
 */
final class PyStrings {

    /** Needles up to this length use {@link String#indexOf}, at most this many comparisons per character. */
    private static final int SHORT_NEEDLE = 32;

    private PyStrings() {}

    static boolean ascii16(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isSurrogate(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static long length(String s) {
        return s.codePointCount(0, s.length());
    }

    /** The UTF-16 index of code point {@code cp} of {@code s}, {@code cp} in [0, length]. */
    static int offset(String s, long cp) {
        return s.offsetByCodePoints(0, (int) cp);
    }

    static List<Object> characters(String s) {
        List<Object> out = new ArrayList<>(s.length());
        s.codePoints().forEach(c -> out.add(Character.toString(c)));
        return out;
    }

    static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int x = a.codePointAt(i);
            int y = b.codePointAt(j);
            if (x != y) {
                return Integer.compare(x, y);
            }
            i += Character.charCount(x);
            j += Character.charCount(y);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /** The UTF-16 index of {@code needle} in {@code hay} at or after UTF-16 index {@code from}, or -1. */
    static int indexOf(String hay, String needle, int from, Budget budget, int line) {
        int at = search(hay, needle, from);
        // Charged for what was scanned: at most the haystack once, however long the needle.
        budget.work(line, (at < 0 ? hay.length() : at + needle.length()) - (long) from + needle.length());
        return at;
    }

    private static int search(String hay, String needle, int from) {
        if (needle.length() <= SHORT_NEEDLE) {
            return hay.indexOf(needle, from);
        }
        int[] fail = failure(needle);
        int k = 0;
        for (int i = from; i < hay.length(); i++) {
            while (k > 0 && hay.charAt(i) != needle.charAt(k)) {
                k = fail[k - 1];
            }
            if (hay.charAt(i) == needle.charAt(k)) {
                k++;
            }
            if (k == needle.length()) {
                return i - k + 1;
            }
        }
        return -1;
    }

    /** Knuth-Morris-Pratt failure function of {@code p}. */
    private static int[] failure(String p) {
        int[] f = new int[p.length()];
        for (int i = 1, k = 0; i < p.length(); i++) {
            while (k > 0 && p.charAt(i) != p.charAt(k)) {
                k = f[k - 1];
            }
            if (p.charAt(i) == p.charAt(k)) {
                k++;
            }
            f[i] = k;
        }
        return f;
    }

    /**
     * How many non-overlapping occurrences of a non-empty {@code needle} there are, at most {@code max}: one
     * linear scan, charged once, so that what a replace or split would build is known before it is built.
     */
    static long count(String hay, String needle, long max, Budget budget, int line) {
        long n = 0;
        int from = 0;
        while (n < max) {
            int i = search(hay, needle, from);
            if (i < 0) {
                break;
            }
            n++;
            from = i + needle.length();
        }
        budget.work(line, (long) hay.length() + needle.length());
        return n;
    }

    /** The first {@code max} non-overlapping occurrences of a non-empty {@code needle}; {@link #count} them first. */
    static int[] occurrences(String hay, String needle, int max, Budget budget, int line) {
        int[] at = new int[max];
        int from = 0;
        for (int k = 0; k < max; k++) {
            at[k] = search(hay, needle, from);
            from = at[k] + needle.length();
        }
        budget.work(line, (long) hay.length() + needle.length());
        return at;
    }

    static void repr(String s, StringBuilder sb) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        sb.append(quote);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == quote || c == '\\') {
                sb.append('\\').appendCodePoint(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (printable(c)) {
                sb.appendCodePoint(c);
            } else if (c < 0x100) {
                sb.append(String.format("\\x%02x", c));
            } else if (c < 0x10000) {
                sb.append(String.format("\\u%04x", c));
            } else {
                sb.append(String.format("\\U%08x", c));
            }
        }
        sb.append(quote);
    }

    /** Python's {@code str.isprintable} for one character. */
    private static boolean printable(int c) {
        if (c == ' ') {
            return true;
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE, Character.UNASSIGNED,
                 Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    /** Python's {@code str.isspace} for one character. */
    static boolean space(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85 || (c >= 0x1c && c <= 0x1f);
    }

    /** Python's {@code str.strip(chars)}: from the left, the right or both; {@code chars} null strips whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && stripped(s.codePointAt(start), chars)) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (right && end > start && stripped(s.codePointBefore(end), chars)) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int c, String chars) {
        return chars == null ? space(c) : chars.indexOf(c) >= 0;
    }
}
