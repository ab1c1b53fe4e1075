package dev.canopy.executor.structured;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Drops from a DFA state the configurations that add nothing to its language: a configuration (q, k)
 * whose every continuation is also a continuation of a loop (u, k) present in the same state. The case
 * it is for: an unanchored {@code pattern} inside a string, once matched, sits in its "any characters
 * until the closing quote" loop, while the configurations still searching for another match (the
 * prefix loop, partial matches) all end at the same closing quote; dropped, the state reads every
 * plain character back to itself and the masks take the plain-token shortcut instead of walking the trie.
 *
 * <p>Exact: a loop u is a candidate when its epsilon closure U only reads bytes (no call, no rule end),
 * and it is present at stack k when every (x, k), x in U, is in the state, so the state's language holds
 * L(U, k). A configuration (q, k) is dropped when a simulation proves L(q) ⊆ L(U) within the rule: q's
 * paths are followed byte class by byte class beside the set of U's states reading the same bytes, and
 * each path must come to a state that the set also holds (same state, same stack: same continuation),
 * never to a call, a rule end or a byte the set refuses. Anything else, or more than {@link #BUDGET}
 * units of work, keeps the configuration. Only loops whose U reads every printable ASCII
 * character back to U are candidates (a string body's "anything goes" loop, not a pattern's searching prefix,
 * whose sets grow with every partial match). Each (q, u) answer is computed once per grammar.
 */
final class Subsumption {

    /**
     * The most work (set states and path states looked at) one proof may do before it gives up and keeps the
     * configuration: about 100 µs. Configurations of other parts of the grammar at the same stack (a key
     * beside a free string) fail, most of them only after wandering their own part of the grammar.
     */
    static final int BUDGET = 20_000;
    /** After this many failed proofs and none that held, a loop is no longer tried (it prunes nothing here). */
    static final int MAX_FAILURES_WITHOUT_USE = 8;
    /**
     * The most sets of U's states one proof may meet: a loop of any string characters meets a handful (U itself,
     * inside a UTF-8 sequence, inside an escape); more means U is not such a loop.
     */
    static final int MAX_SETS = 64;

    private final Nfa nfa;
    private final IntFunction<int[]> epsClosure; // LazyDfa's epsilon closure (the state first, then those that read, call or end)
    private final byte[] classHi; // (256): the last byte of the byte's class
    private final int[][] candidatesAt; // (nfa state): the candidate loops whose U starts with that state, or null
    private final int[][] loopClosure; // (nfa state): U of a candidate loop, sorted; null for other states
    private final Map<Long, Boolean> proven = new HashMap<>(); // (q << 32 | u): L(q) ⊆ L(U of u)
    private final Proof[] proofs; // (nfa state u): its sets and the pairs shown so far, null until needed

    Subsumption(Nfa nfa, IntFunction<int[]> epsClosure, byte[] classHi) {
        this.nfa = nfa;
        this.epsClosure = epsClosure;
        this.classHi = classHi;
        this.loopClosure = new int[nfa.stateCount()][];
        this.proofs = new Proof[nfa.stateCount()];
        Map<Integer, List<Integer>> byAnchor = new HashMap<>();
        for (int u : nfa.loopStates) {
            int[] closure = byteReadingClosure(nfa, epsClosure, u);
            if (closure != null && closure.length > 0) {
                loopClosure[u] = closure;
                byAnchor.computeIfAbsent(closure[0], k -> new ArrayList<>()).add(u);
            }
        }
        this.candidatesAt = new int[nfa.stateCount()][];
        byAnchor.forEach((anchor, loops) -> candidatesAt[anchor] = loops.stream().mapToInt(Integer::intValue).toArray());
    }

    /** U of loop {@code u}: the sorted states its epsilon closure reads bytes in; null when the closure calls or ends a rule. */
    static int[] byteReadingClosure(Nfa nfa, IntFunction<int[]> epsClosure, int u) {
        Nfa.IntList out = new Nfa.IntList();
        for (int s : epsClosure.apply(u)) {
            if (nfa.callEdges[s].length > 0 || nfa.ruleEnd[s]) {
                return null;
            }
            if (nfa.byteEdges[s].length > 0) {
                out.add(s);
            }
        }
        int[] sorted = out.toArray();
        Arrays.sort(sorted);
        return sorted;
    }

    /**
     * {@code core} (sorted configurations, stack << 32 | state) without the configurations that a present
     * candidate loop subsumes; {@code core} itself when none is dropped.
     */
    long[] prune(long[] core) {
        if (core.length < 2) {
            return core;
        }
        boolean[] dropped = null;
        for (long anchorConfig : core) {
            int[] loops = candidatesAt[(int) anchorConfig];
            if (loops == null) {
                continue;
            }
            long stack = anchorConfig & 0xFFFF_FFFF_0000_0000L;
            for (int u : loops) {
                int[] closure = loopClosure[u];
                if (!present(core, dropped, stack, closure)) {
                    continue;
                }
                Proof proof = proof(u);
                if (!proof.readsPlainAsciiBack || proof.useless()) {
                    continue;
                }
                for (int i = 0; i < core.length && !proof.useless(); i++) {
                    long c = core[i];
                    if ((c & 0xFFFF_FFFF_0000_0000L) != stack || (dropped != null && dropped[i])
                            || Arrays.binarySearch(closure, (int) c) >= 0 || !subsumed((int) c, u, proof)) {
                        continue;
                    }
                    if (dropped == null) {
                        dropped = new boolean[core.length];
                    }
                    dropped[i] = true;
                }
            }
        }
        if (dropped == null) {
            return core;
        }
        long[] kept = new long[core.length];
        int n = 0;
        for (int i = 0; i < core.length; i++) {
            if (!dropped[i]) {
                kept[n++] = core[i];
            }
        }
        return Arrays.copyOf(kept, n);
    }

    /** Whether every (x, stack) of {@code closure} is in {@code core} and not dropped. */
    private static boolean present(long[] core, boolean[] dropped, long stack, int[] closure) {
        for (int x : closure) {
            int i = Arrays.binarySearch(core, stack | (x & 0xFFFF_FFFFL));
            if (i < 0 || (dropped != null && dropped[i])) {
                return false;
            }
        }
        return true;
    }

    /** Whether L(q) ⊆ L(U of u) at any one stack (cached). */
    boolean subsumed(int q, int u) {
        return subsumed(q, u, proof(u));
    }

    private boolean subsumed(int q, int u, Proof proof) {
        long key = ((long) q << 32) | (u & 0xFFFF_FFFFL);
        Boolean known = proven.get(key);
        if (known == null) {
            known = proof.holds(q);
            proven.put(key, known);
        }
        return known;
    }

    private Proof proof(int u) {
        Proof p = proofs[u];
        if (p == null) {
            p = new Proof(loopClosure[u]);
            proofs[u] = p;
        }
        return p;
    }

    /** Simulations of configurations' paths against the states of one loop's U reading the same bytes. */
    private final class Proof {
        private final List<int[]> sets = new ArrayList<>(); // interned right-hand sets, sorted
        private final Map<java.nio.IntBuffer, Integer> setIds = new HashMap<>(); // content equality
        private final Map<Long, Integer> steps = new HashMap<>(); // (set << 8 | byte): the set after it
        private final java.util.Set<Long> held = new java.util.HashSet<>(); // (state << 32 | set): pairs shown to hold
        private int cost; // work of the current proof
        private int failures;
        private int successes;

        final boolean readsPlainAsciiBack;

        Proof(int[] start) {
            intern(start);
            readsPlainAsciiBack = readsPlainAsciiBack();
        }

        /** Whether this loop keeps failing to subsume anything (then it is not tried any more). */
        boolean useless() {
            return successes == 0 && failures >= MAX_FAILURES_WITHOUT_USE;
        }

        /** Whether every printable ASCII character but the quote and backslash leads the start set back to itself. */
        private boolean readsPlainAsciiBack() {
            for (int b = 0x20; b < 0x7F; b = (classHi[b] & 0xFF) + 1) {
                if (b != '"' && b != '\\' && step(0, b) != 0) {
                    return false;
                }
            }
            return true;
        }

        /**
         * Whether L(q) ⊆ L(U). Pairs of a proof that held are kept: each of them was shown to hold, so a later
         * proof (another configuration of the same pattern) stops there.
         */
        boolean holds(int q) {
            Nfa.IntList work = new Nfa.IntList(); // pairs: state, set
            java.util.HashSet<Long> seen = new java.util.HashSet<>();
            work.add(q);
            work.add(0);
            seen.add((long) q << 32);
            cost = 0;
            while (work.size() > 0) {
                int set = work.pop();
                int n = work.pop();
                if (Arrays.binarySearch(sets.get(set), n) >= 0 || held.contains(((long) n << 32) | set)) {
                    continue; // the same state on both sides (the same continuations), or shown before
                }
                if (nfa.callEdges[n].length > 0 || nfa.ruleEnd[n] || cost > BUDGET || sets.size() > MAX_SETS) {
                    failures++;
                    return false;
                }
                int[] edges = nfa.byteEdges[n];
                for (int i = 0; i < edges.length; i += 3) {
                    for (int b = edges[i]; b <= edges[i + 1]; b = (classHi[b] & 0xFF) + 1) { // edges cover whole classes
                        int next = step(set, b);
                        int[] right = sets.get(next);
                        int[] targets = epsClosure.apply(edges[i + 2]);
                        cost += targets.length;
                        if (cost > BUDGET) {
                            failures++;
                            return false;
                        }
                        for (int m : targets) {
                            if (!matters(m) || Arrays.binarySearch(right, m) >= 0) {
                                continue;
                            }
                            if (right.length == 0) {
                                failures++;
                                return false;
                            }
                            if (seen.add(((long) m << 32) | next)) {
                                work.add(m);
                                work.add(next);
                            }
                        }
                    }
                }
            }
            held.addAll(seen);
            successes++;
            return true;
        }

        /** Whether state {@code s} of an epsilon closure reads, calls or ends a rule (the others only pass through). */
        private boolean matters(int s) {
            return nfa.byteEdges[s].length > 0 || nfa.callEdges[s].length > 0 || nfa.ruleEnd[s];
        }

        /** The set after reading byte {@code b} from set {@code set} (its states' byte edges, closed under epsilon). */
        private int step(int set, int b) {
            long key = ((long) set << 8) | b;
            Integer known = steps.get(key);
            if (known != null) {
                return known;
            }
            Nfa.IntList out = new Nfa.IntList();
            cost += sets.get(set).length;
            for (int x : sets.get(set)) {
                int[] edges = nfa.byteEdges[x];
                for (int i = 0; i < edges.length; i += 3) {
                    if (b >= edges[i] && b <= edges[i + 1]) {
                        for (int m : epsClosure.apply(edges[i + 2])) {
                            if (matters(m)) {
                                out.add(m);
                            }
                        }
                    }
                }
            }
            int[] sorted = sortedDistinct(out.toArray());
            int id = intern(sorted);
            steps.put(key, id);
            return id;
        }

        private static int[] sortedDistinct(int[] values) {
            Arrays.sort(values);
            int n = 0;
            for (int i = 0; i < values.length; i++) {
                if (n == 0 || values[i] != values[n - 1]) {
                    values[n++] = values[i];
                }
            }
            return n == values.length ? values : Arrays.copyOf(values, n);
        }

        private int intern(int[] sorted) {
            return setIds.computeIfAbsent(java.nio.IntBuffer.wrap(sorted), k -> {
                sets.add(sorted);
                return sets.size() - 1;
            });
        }
    }
}
