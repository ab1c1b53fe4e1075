package dev.canopy.executor.structured;

import java.nio.IntBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Which sets of NFA states at one call stack read any plain text (see {@link StringBodyLoop#isPlain})
 * without running out of states: an unanchored pattern still searching (its prefix loop reads every
 * character back to itself beside the partial matches), a key position where any other property name is
 * allowed (the listed names' trie, left at any byte for the "any characters" loop). A DFA state holding
 * such a set reads every plain token without reaching {@link LazyDfa#DEAD}, though the state itself may
 * change with each character, so every plain token is allowed there at once.
 *
 * <p>Exact when it answers yes: the sets a plain text can lead to are explored (byte edges and epsilon edges
 * only, so the stack stays; each byte class once, multi-byte characters by their UTF-8 byte ranges), and
 * the answer is yes only when none is empty. A length-bounded string never loops, so its exploration runs
 * out of {@link #MAX_SETS}; that, or an empty set, answers no, and every set met on the way is kept as no
 * too (a no only costs the shortcut). A yes marks every set met as yes. Not thread-safe: {@link LazyDfa}
 * calls it under its lock.
 */
final class PlainLoops {

    /** The most sets one exploration may meet before it answers no (a bounded string's positions, one per set). */
    static final int MAX_SETS = 2048;

    private final Nfa nfa;
    private final IntFunction<int[]> epsClosure; // LazyDfa's epsilon closure
    private final byte[] classHi; // (256): the last byte of the byte's class
    private final Map<IntBuffer, Boolean> known = new HashMap<>();
    private final Nfa.IntList out = new Nfa.IntList();

    PlainLoops(Nfa nfa, IntFunction<int[]> epsClosure, byte[] classHi) {
        this.nfa = nfa;
        this.epsClosure = epsClosure;
        this.classHi = classHi;
    }

    /** Whether every plain text can be read from the NFA states {@code states} (sorted) without the set emptying. */
    boolean readsAnyPlainText(int[] states) {
        IntBuffer root = IntBuffer.wrap(states); // compared by content
        Boolean answer = known.get(root);
        if (answer != null) {
            return answer;
        }
        List<IntBuffer> met = new ArrayList<>();
        ArrayDeque<IntBuffer> todo = new ArrayDeque<>();
        Set<IntBuffer> seen = new HashSet<>();
        seen.add(root);
        met.add(root);
        todo.add(root);
        List<int[]> successors = new ArrayList<>();
        boolean good = true;
        while (good && !todo.isEmpty()) {
            successors.clear();
            good = successors(todo.poll().array(), successors);
            for (int i = 0; good && i < successors.size(); i++) {
                IntBuffer k = IntBuffer.wrap(successors.get(i));
                Boolean before = known.get(k);
                if (before != null) {
                    good = before;
                } else if (seen.add(k)) {
                    met.add(k);
                    todo.add(k);
                    good = met.size() <= MAX_SETS;
                }
            }
        }
        for (IntBuffer k : met) {
            known.put(k, good);
        }
        return good;
    }

    /** Adds to {@code into} the set after each plain character from {@code states}; false when one of them is empty. */
    private boolean successors(int[] states, List<int[]> into) {
        for (int b = 0x20; b < 0x7F; b = (classHi[b] & 0xFF) + 1) {
            if (StringBodyLoop.isPlainAscii(b)) {
                int[] next = step(states, b);
                if (next.length == 0) {
                    return false;
                }
                into.add(next);
            } else if ((classHi[b] & 0xFF) == b) {
                continue; // a quote or backslash alone in its class; the bytes after it are looked at next
            } else {
                int plain = b + 1; // the class holds plain bytes too, all read alike: look at one of them
                int[] next = step(states, plain);
                if (next.length == 0) {
                    return false;
                }
                into.add(next);
            }
        }
        for (int[][] group : StringBodyLoop.UTF8_GROUPS) {
            if (!follow(states, group, 0, into)) {
                return false;
            }
        }
        return true;
    }

    /** The sets after the rest of a UTF-8 group's characters from {@code states} (at byte {@code level}); false when one is empty. */
    private boolean follow(int[] states, int[][] group, int level, List<int[]> into) {
        int hi = group[level][1];
        for (int b = group[level][0]; b <= hi; b = Math.min(classHi[b] & 0xFF, hi) + 1) {
            int[] next = step(states, b);
            if (next.length == 0) {
                return false;
            }
            if (level + 1 == group.length) {
                into.add(next);
            } else if (!follow(next, group, level + 1, into)) {
                return false;
            }
        }
        return true;
    }

    /** The sorted byte-reading NFA states reached from {@code states} by byte {@code b} and then epsilon edges. */
    private int[] step(int[] states, int b) {
        out.clear();
        for (int s : states) {
            int[] edges = nfa.byteEdges[s];
            for (int i = 0; i < edges.length; i += 3) {
                if (b >= edges[i] && b <= edges[i + 1]) {
                    for (int t : epsClosure.apply(edges[i + 2])) {
                        if (nfa.byteEdges[t].length > 0) {
                            out.add(t);
                        }
                    }
                }
            }
        }
        int[] sorted = out.toArray();
        Arrays.sort(sorted);
        int n = 0;
        for (int i = 0; i < sorted.length; i++) {
            if (n == 0 || sorted[n - 1] != sorted[i]) {
                sorted[n++] = sorted[i];
            }
        }
        return n == sorted.length ? sorted : Arrays.copyOf(sorted, n);
    }
}
