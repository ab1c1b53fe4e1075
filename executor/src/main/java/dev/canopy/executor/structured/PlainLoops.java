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
 * only, so the stack stays; one byte of each run of bytes the set's edges read alike, multi-byte characters
 * by their UTF-8 byte ranges), and the answer is yes only when none is empty. A length-bounded string never
 * loops, so its exploration ends at an empty set or runs out of {@link #MAX_SETS} or {@link #BUDGET}; each
 * answers no, and every set met on the way is kept as no too (a no only costs the shortcut). A yes marks
 * every set met as yes. Not thread-safe: {@link LazyDfa} calls it under its lock.
 */
final class PlainLoops {

    /** The most sets one exploration may meet before it answers no (a bounded string's positions, one per set). */
    static final int MAX_SETS = 2048;
    /**
     * The most edges one exploration may look at before it answers no (a few hundred µs): an unanchored
     * alternation of hundreds of words still searching meets thousands of sets of hundreds of states.
     */
    static final int BUDGET = 200_000;

    private final Nfa nfa;
    private final IntFunction<int[]> epsClosure; // LazyDfa's epsilon closure
    private final Map<IntBuffer, Boolean> known = new HashMap<>();
    // Sets inside a UTF-8 character (after its first bytes), with a bit per (group, level) whose rest of the
    // character was followed from them: in the current exploration, and in explorations that answered yes.
    private final Map<IntBuffer, Long> midCharNow = new HashMap<>();
    private final Map<IntBuffer, Long> midCharYes = new HashMap<>();
    private final Nfa.IntList out = new Nfa.IntList();
    private int work; // edges looked at by the current exploration
    private boolean skipFollowed = true; // whether spans may skip the rest of a character followed before
    private int[][] loopsAt; // (nfa state): the loops whose U starts with that state, or null; null until needed
    private int[][] loopClosure; // (nfa state u): U, the sorted byte-reading states of loop u's epsilon closure
    private byte[] readsBack; // (nfa state u): 0 not yet known, 1 every plain character leads U to a superset of U, 2 not

    private final boolean trustMarks; // whether GrammarNode.ReadsAnyText starts answer yes without exploring

    PlainLoops(Nfa nfa, IntFunction<int[]> epsClosure) {
        this(nfa, epsClosure, true);
    }

    private PlainLoops(Nfa nfa, IntFunction<int[]> epsClosure, boolean trustMarks) {
        this.nfa = nfa;
        this.epsClosure = epsClosure;
        this.trustMarks = trustMarks;
    }

    /** One that explores {@link GrammarNode.ReadsAnyText} bodies like any other set (for checking their claim). */
    static PlainLoops exploringMarks(Nfa nfa, IntFunction<int[]> epsClosure) {
        return new PlainLoops(nfa, epsClosure, false);
    }

    /**
     * Whether {@link #readsAnyPlainText} is yes without exploring: a known yes, or a held loop or
     * {@link GrammarNode.ReadsAnyText} start ({@link #holdsLoopReadingBack}). False settles nothing.
     */
    boolean readsAnyPlainTextAtOnce(int[] states) {
        IntBuffer root = IntBuffer.wrap(states);
        Boolean answer = known.get(root);
        if (answer != null) {
            return answer;
        }
        if (coversPlainAscii(states) && holdsLoopReadingBack(states)) {
            known.put(root, true);
            return true;
        }
        return false;
    }

    /** Whether every plain text can be read from the NFA states {@code states} (sorted) without the set emptying. */
    boolean readsAnyPlainText(int[] states) {
        IntBuffer root = IntBuffer.wrap(states); // compared by content
        Boolean answer = known.get(root);
        if (answer != null) {
            return answer;
        }
        if (!coversPlainAscii(states)) {
            known.put(root, false);
            return false;
        }
        if (holdsLoopReadingBack(states)) {
            known.put(root, true);
            return true;
        }
        work = 0;
        midCharNow.clear();
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
                }
            }
            good &= met.size() <= MAX_SETS && work <= BUDGET;
        }
        for (IntBuffer k : met) {
            known.put(k, good);
        }
        if (good) {
            midCharNow.forEach((k, bits) -> midCharYes.merge(k, bits, (a, b) -> a | b));
        }
        return good;
    }

    /**
     * Whether {@code states} hold the byte-reading closure U of a loop (an unanchored pattern's searching prefix,
     * a matched pattern's suffix, a free string's body) from which every plain character leads to a set holding U
     * again: then any plain text leads {@code states} to a superset of U (stepping sets is monotone), never to
     * the empty set, without exploring the sets of the partial matches beside U (which grow with the pattern and
     * ran past the exploration's budget on {@code \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.\d{6}}). Likewise a set holding
     * the byte-reading closure of a {@link GrammarNode.ReadsAnyText} start (a key beside any other name), whose
     * body reads any plain text by construction: exploring its sets cost ~0.3 ms per first key of an object.
     */
    private boolean holdsLoopReadingBack(int[] states) {
        if (loopsAt == null) {
            indexLoops();
        }
        for (int x : states) {
            int[] loops = loopsAt[x];
            for (int i = 0; loops != null && i < loops.length; i++) {
                int u = loops[i];
                if (containsAll(states, loopClosure[u]) && readsBack(u)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void indexLoops() {
        loopsAt = new int[nfa.stateCount()][];
        loopClosure = new int[nfa.stateCount()][];
        readsBack = new byte[nfa.stateCount()];
        for (int u : nfa.loopStates) {
            index(u);
        }
        for (int u : trustMarks ? nfa.anyTextStates : new int[0]) {
            if (index(u)) {
                readsBack[u] = 1; // reads any plain text by construction, so every set holding U does
            }
        }
    }

    private boolean index(int u) {
        int[] closure = Subsumption.byteReadingClosure(nfa, epsClosure, u);
        if (closure == null || closure.length == 0) {
            return false;
        }
        loopClosure[u] = closure;
        int[] at = loopsAt[closure[0]];
        at = at == null ? new int[1] : Arrays.copyOf(at, at.length + 1);
        at[at.length - 1] = u;
        loopsAt[closure[0]] = at;
        return true;
    }

    /** Whether every plain character leads loop {@code u}'s U to a set holding U (cached). */
    private boolean readsBack(int u) {
        if (readsBack[u] == 0) {
            int[] closure = loopClosure[u];
            List<int[]> after = new ArrayList<>();
            skipFollowed = false; // every set after a character is needed here
            boolean held = successors(closure, after);
            skipFollowed = true;
            for (int i = 0; held && i < after.size(); i++) {
                held = containsAll(after.get(i), closure);
            }
            readsBack[u] = held ? (byte) 1 : (byte) 2;
        }
        return readsBack[u] == 1;
    }

    /** Whether sorted {@code set} holds every element of sorted {@code sub}. */
    private static boolean containsAll(int[] set, int[] sub) {
        for (int x : sub) {
            if (Arrays.binarySearch(set, x) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether the edges of {@code states} read every plain ASCII byte: a set that does not cannot read any plain text. */
    private boolean coversPlainAscii(int[] states) {
        long[] covered = new long[2];
        for (int s : states) {
            int[] edges = nfa.byteEdges[s];
            for (int i = 0; i < edges.length; i += 3) {
                for (int b = Math.max(edges[i], 0x20), hi = Math.min(edges[i + 1], 0x7E); b <= hi; b++) {
                    covered[b >>> 6] |= 1L << b;
                }
            }
        }
        for (int b = 0x20; b < 0x7F; b++) {
            if (StringBodyLoop.isPlainAscii(b) && (covered[b >>> 6] & (1L << b)) == 0) {
                return false;
            }
        }
        return true;
    }

    /** Adds to {@code into} the set after each plain character from {@code states}; false when one of them is empty. */
    private boolean successors(int[] states, List<int[]> into) {
        if (!spans(states, 0x20, 0x7E, true, -1, 0, into)) {
            return false;
        }
        for (int g = 0; g < StringBodyLoop.UTF8_GROUPS.length; g++) {
            int[] lead = StringBodyLoop.UTF8_GROUPS[g][0];
            if (!spans(states, lead[0], lead[1], false, g, 0, into)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Steps {@code states} by one byte of each run of {@code lo..hi} that their edges read alike (quote and backslash
     * left out when {@code ascii}), then follows the rest of UTF-8 group {@code group} (an index into
     * {@link StringBodyLoop#UTF8_GROUPS}, -1 for none) from {@code level}; adds the sets after whole characters to
     * {@code into}. False when a character empties the set. A set inside a character whose rest was followed
     * before, in this exploration or in one that answered yes, is not followed again: the sets after it are
     * already met or known to read any plain text (names' prefixes all lead into one shared UTF-8 sequence).
     */
    private boolean spans(int[] states, int lo, int hi, boolean ascii, int group, int level, List<int[]> into) {
        long[] cuts = new long[5]; // (bit per byte 0..256): the first byte of each run
        cut(cuts, lo);
        if (ascii) {
            cut(cuts, '"');
            cut(cuts, '"' + 1);
            cut(cuts, '\\');
            cut(cuts, '\\' + 1);
        }
        for (int s : states) {
            int[] edges = nfa.byteEdges[s];
            for (int i = 0; i < edges.length; i += 3) {
                cut(cuts, edges[i]);
                cut(cuts, edges[i + 1] + 1);
            }
            work += edges.length;
        }
        int[][] ranges = group < 0 ? null : StringBodyLoop.UTF8_GROUPS[group];
        for (int b = nextCut(cuts, lo); b >= 0 && b <= hi; b = nextCut(cuts, b + 1)) {
            if (ascii && !StringBodyLoop.isPlainAscii(b)) {
                continue;
            }
            int[] next = step(states, b);
            if (next.length == 0) {
                return false;
            }
            if (ranges == null || level + 1 == ranges.length) {
                into.add(next);
            } else if (skipFollowed && followedBefore(next, group, level + 1)) {
                continue;
            } else if (!spans(next, ranges[level + 1][0], ranges[level + 1][1], false, group, level + 1, into)) {
                return false;
            }
        }
        return true;
    }

    /** Whether the rest of {@code group}'s character from {@code level} was followed from {@code states} before; marks it. */
    private boolean followedBefore(int[] states, int group, int level) {
        IntBuffer key = IntBuffer.wrap(states);
        long bit = 1L << (group * 4 + level);
        if ((midCharYes.getOrDefault(key, 0L) & bit) != 0) {
            return true;
        }
        long now = midCharNow.getOrDefault(key, 0L);
        midCharNow.put(key, now | bit);
        return (now & bit) != 0;
    }

    private static void cut(long[] cuts, int b) {
        cuts[b >>> 6] |= 1L << b;
    }

    /** The first cut at or after byte {@code from}, or -1. */
    private static int nextCut(long[] cuts, int from) {
        for (int w = from >>> 6; w < cuts.length; w++) {
            long bits = cuts[w] & (w == from >>> 6 ? -1L << from : -1L);
            if (bits != 0) {
                return (w << 6) + Long.numberOfTrailingZeros(bits);
            }
        }
        return -1;
    }

    /** The sorted byte-reading NFA states reached from {@code states} by byte {@code b} and then epsilon edges. */
    private int[] step(int[] states, int b) {
        out.clear();
        for (int s : states) {
            int[] edges = nfa.byteEdges[s];
            work += edges.length;
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
