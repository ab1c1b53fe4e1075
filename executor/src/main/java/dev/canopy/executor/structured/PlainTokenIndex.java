package dev.canopy.executor.structured;

import java.util.Arrays;

/**
 * The vocabulary's plain-character tokens grouped by how many characters they hold, for states with one
 * {@linkplain StringBodyLoop#successor plain successor}: inside a string of at most N characters, at
 * position k, exactly the plain tokens of up to N - k characters are allowed, which is a copy of one
 * precomputed bitset instead of a trie walk. Likewise, per first byte, the tokens whose bytes after
 * the first are plain (an opening quote followed by text), sorted by the length of that tail.
 */
final class PlainTokenIndex {

    /**
     * How far {@link LazyDfa#plainReach} follows a length-bounded string (each step builds the next
     * position's states): the plain tokens and tails of up to this many characters are allowed by length,
     * the longer ones (a few percent of a vocabulary) are walked in {@link TokenTrie#longPlain}.
     */
    static final int SHORT_CHARS = 16;

    final int maxChars; // the most characters in one plain token (or plain tail)
    private final long[][] plainUpTo; // (maxChars + 1, vocab / 64): plain tokens of at most n characters
    private final int[][] tailIds; // (256, tokens): tokens of 2+ bytes with a plain tail, by tail length
    private final int[][] tailUpTo; // (256, maxChars + 1): how many of tailIds[b] have a tail of at most n characters

    PlainTokenIndex(byte[][] bytesById) {
        int vocab = bytesById.length;
        int[] chars = new int[vocab]; // plain characters of the token, or -1
        int[] tailChars = new int[vocab]; // plain characters after the first byte, or -1
        int most = 0;
        for (int id = 0; id < vocab; id++) {
            byte[] b = bytesById[id];
            chars[id] = b.length > 0 && StringBodyLoop.isPlain(b) ? charCount(b, 0) : -1;
            tailChars[id] = b.length > 1 && StringBodyLoop.isPlain(Arrays.copyOfRange(b, 1, b.length))
                    ? charCount(b, 1) : -1;
            most = Math.max(most, Math.max(chars[id], tailChars[id]));
        }
        maxChars = most;
        int words = (vocab + 63) >>> 6;
        plainUpTo = new long[most + 1][words];
        for (int id = 0; id < vocab; id++) {
            if (chars[id] >= 0) {
                plainUpTo[chars[id]][id >>> 6] |= 1L << id;
            }
        }
        for (int n = 1; n <= most; n++) {
            for (int w = 0; w < words; w++) {
                plainUpTo[n][w] |= plainUpTo[n - 1][w];
            }
        }
        tailIds = new int[256][];
        tailUpTo = new int[256][];
        int[] perFirst = new int[256];
        for (int id = 0; id < vocab; id++) {
            if (tailChars[id] >= 0) {
                perFirst[bytesById[id][0] & 0xFF]++;
            }
        }
        Integer[][] byFirst = new Integer[256][];
        for (int first = 0; first < 256; first++) {
            byFirst[first] = new Integer[perFirst[first]];
            perFirst[first] = 0;
        }
        for (int id = 0; id < vocab; id++) {
            if (tailChars[id] >= 0) {
                int first = bytesById[id][0] & 0xFF;
                byFirst[first][perFirst[first]++] = id;
            }
        }
        for (int first = 0; first < 256; first++) {
            Arrays.sort(byFirst[first], (a, b) -> Integer.compare(tailChars[a], tailChars[b]));
            tailIds[first] = Arrays.stream(byFirst[first]).mapToInt(Integer::intValue).toArray();
            int[] upTo = new int[most + 1];
            for (int id : tailIds[first]) {
                upTo[tailChars[id]]++;
            }
            for (int n = 1; n <= most; n++) {
                upTo[n] += upTo[n - 1];
            }
            tailUpTo[first] = upTo;
        }
    }

    /** A new mask holding the plain tokens of at most {@code n} characters. */
    long[] plainUpTo(int n) {
        return plainUpTo[Math.min(n, maxChars)].clone();
    }

    /** Sets in {@code mask} the tokens starting with byte {@code first} followed by 1..n plain characters. */
    void allowTails(int first, int n, long[] mask) {
        int[] ids = tailIds[first];
        int count = tailUpTo[first][Math.min(n, maxChars)];
        for (int i = 0; i < count; i++) {
            int t = ids[i];
            mask[t >>> 6] |= 1L << t;
        }
    }

    /** How many UTF-8 characters {@code bytes} hold from {@code from} on (lead bytes counted). */
    static int charCount(byte[] bytes, int from) {
        int n = 0;
        for (int i = from; i < bytes.length; i++) {
            if ((bytes[i] & 0xC0) != 0x80) {
                n++;
            }
        }
        return n;
    }
}
