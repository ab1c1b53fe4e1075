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

    private static final int[] CONT = {0x80, 0xBF};
    /**
     * The multi-byte UTF-8 characters as groups of byte ranges (lead byte, then continuation bytes), each
     * range's bytes interchangeable after the ones before: two bytes C2..DF then 80..BF; three bytes E0 A0..BF,
     * E1..EC 80..BF, ED 80..9F, EE..EF 80..BF, then 80..BF; four bytes likewise.
     */
    static final int[][][] UTF8_GROUPS = {
        {{0xC2, 0xDF}, CONT},
        {{0xE0, 0xE0}, {0xA0, 0xBF}, CONT}, {{0xE1, 0xEC}, CONT, CONT},
        {{0xED, 0xED}, {0x80, 0x9F}, CONT}, {{0xEE, 0xEF}, CONT, CONT},
        {{0xF0, 0xF0}, {0x90, 0xBF}, CONT, CONT}, {{0xF1, 0xF3}, CONT, CONT, CONT},
        {{0xF4, 0xF4}, {0x80, 0x8F}, CONT, CONT}};

    /** Whether the single byte {@code b} is a plain string character (printable ASCII but quote and backslash). */
    static boolean isPlainAscii(int b) {
        return b >= 0x20 && b < 0x7F && b != '"' && b != '\\';
    }

    /** What {@link #successor} answers when plain characters lead to different states. */
    static final int MIXED = -3;

    /** Whether every plain character read in {@code s} leads back to {@code s}. */
    static boolean loops(LazyDfa dfa, int s) {
        return successor(dfa, s) == s;
    }

    /**
     * The one state every plain character leads to from {@code s} ({@link LazyDfa#DEAD} when every one is
     * refused), or {@link #MIXED}. A position inside a length-bounded string has one (the next position),
     * so the tokens of n plain characters are allowed there exactly when n steps stay alive.
     */
    static int successor(LazyDfa dfa, int s) {
        int target = dfa.next(s, 0x20);
        for (int b = 0x21; b < 0x7F; b++) {
            if (isPlainAscii(b) && dfa.next(s, b) != target) {
                return MIXED;
            }
        }
        for (int[][] group : UTF8_GROUPS) {
            if (groupTarget(dfa, s, group) != target) {
                return MIXED;
            }
        }
        return target;
    }

    /**
     * The state every character of a UTF-8 group (lead byte range, then continuation byte ranges) leads
     * to from {@code s}: each range must map the single current state to one common state (or refuse it
     * entirely, then DEAD); otherwise {@link #MIXED}.
     */
    private static int groupTarget(LazyDfa dfa, int s, int[][] ranges) {
        int cur = s;
        for (int[] range : ranges) {
            int target = dfa.next(cur, range[0]);
            for (int b = range[0] + 1; b <= range[1]; b++) {
                if (dfa.next(cur, b) != target) {
                    return MIXED;
                }
            }
            if (target < 0) {
                return LazyDfa.DEAD;
            }
            cur = target;
        }
        return cur;
    }
}
