package dev.canopy.executor.structured;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The "slice" shortcut for masks inside free JSON strings (after LLGuidance): most of a vocabulary is
 * tokens of plain string characters (valid UTF-8, no quote, backslash or control character). In a DFA
 * state that every plain character leads back to itself, all those tokens are allowed at once, and
 * only the other tokens need the trie walk. Whether a state loops is decided exactly, by checking every
 * plain character's bytes through the DFA (grouping the continuation bytes of UTF-8), once per state.
 */
final class StringBodyLoop {

    private StringBodyLoop() {}

    /** Whether {@code bytes} are complete UTF-8 characters, none of them a quote, backslash or control character. */
    static boolean isPlain(byte[] bytes) {
        for (byte b : bytes) {
            if (b >= 0 && (b < 0x20 || b == '"' || b == '\\' || b == 0x7F)) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Whether every plain character read in {@code s} leads back to {@code s}. */
    static boolean loops(LazyDfa dfa, int s) {
        for (int b = 0x20; b < 0x7F; b++) {
            if (b != '"' && b != '\\' && dfa.next(s, b) != s) {
                return false;
            }
        }
        // Two bytes: C2..DF then 80..BF.
        if (!leadsBack(dfa, s, 0xC2, 0xDF, new int[][] {{0x80, 0xBF}})) {
            return false;
        }
        // Three bytes: E0 A0..BF, E1..EC 80..BF, ED 80..9F, EE..EF 80..BF; then 80..BF.
        int[] cont = {0x80, 0xBF};
        return leadsBack(dfa, s, 0xE0, 0xE0, new int[][] {{0xA0, 0xBF}, cont})
                && leadsBack(dfa, s, 0xE1, 0xEC, new int[][] {cont, cont})
                && leadsBack(dfa, s, 0xED, 0xED, new int[][] {{0x80, 0x9F}, cont})
                && leadsBack(dfa, s, 0xEE, 0xEF, new int[][] {cont, cont})
                && leadsBack(dfa, s, 0xF0, 0xF0, new int[][] {{0x90, 0xBF}, cont, cont})
                && leadsBack(dfa, s, 0xF1, 0xF3, new int[][] {cont, cont, cont})
                && leadsBack(dfa, s, 0xF4, 0xF4, new int[][] {{0x80, 0x8F}, cont, cont});
    }

    /**
     * Whether all leads in {@code lo..hi} reach one state, and each following byte range maps every
     * byte of the current (single) state to one common state, ending at {@code s}.
     */
    private static boolean leadsBack(LazyDfa dfa, int s, int lo, int hi, int[][] following) {
        int cur = dfa.next(s, lo);
        if (cur < 0) {
            return false;
        }
        for (int b = lo + 1; b <= hi; b++) {
            if (dfa.next(s, b) != cur) {
                return false;
            }
        }
        for (int[] range : following) {
            int target = dfa.next(cur, range[0]);
            if (target < 0) {
                return false;
            }
            for (int b = range[0] + 1; b <= range[1]; b++) {
                if (dfa.next(cur, b) != target) {
                    return false;
                }
            }
            cur = target;
        }
        return cur == s;
    }
}
