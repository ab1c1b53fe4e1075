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
            if (b != '"' && b != '\\' && dfa.next(s, b) != target) {
                return MIXED;
            }
        }
        // Two bytes: C2..DF then 80..BF.
        // Three bytes: E0 A0..BF, E1..EC 80..BF, ED 80..9F, EE..EF 80..BF; then 80..BF.
        int[] cont = {0x80, 0xBF};
        int[][][] groups = {
            {{0xC2, 0xDF}, cont},
            {{0xE0, 0xE0}, {0xA0, 0xBF}, cont}, {{0xE1, 0xEC}, cont, cont},
            {{0xED, 0xED}, {0x80, 0x9F}, cont}, {{0xEE, 0xEF}, cont, cont},
            {{0xF0, 0xF0}, {0x90, 0xBF}, cont, cont}, {{0xF1, 0xF3}, cont, cont, cont},
            {{0xF4, 0xF4}, {0x80, 0x8F}, cont, cont}};
        for (int[][] group : groups) {
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
