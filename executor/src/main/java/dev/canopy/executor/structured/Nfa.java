package dev.canopy.executor.structured;

import java.util.ArrayList;
import java.util.List;

/**
 * A pushdown byte automaton laid out from a {@link RuleSet}: states with byte-range edges, epsilon
 * edges and call edges (enter a rule, continue at a return state when it ends). Immutable once built;
 * {@link LazyDfa} runs it.
 */
final class Nfa {

    /** Past this many states a grammar is refused rather than laid out (memory, compile time). */
    static final int MAX_STATES = 2_000_000;

    final int[][] byteEdges; // (state, 3 * edges): lo, hi, target
    final int[][] epsEdges; // (state, edges): target
    final int[][] callEdges; // (state, 2 * calls): rule start, return state
    final boolean[] ruleEnd; // (state): a rule's last state: return to the caller, or accept at the root
    final int[] loopStates; // the loop state of every unbounded repetition (see Subsumption)
    final int[] anyTextStates; // the start of every GrammarNode.ReadsAnyText body (see PlainLoops)
    final int start; // the root rule's first state

    private Nfa(Builder b, int start) {
        int n = b.bytes.size();
        byteEdges = new int[n][];
        epsEdges = new int[n][];
        callEdges = new int[n][];
        for (int i = 0; i < n; i++) {
            byteEdges[i] = toArray(b.bytes.get(i));
            epsEdges[i] = toArray(b.eps.get(i));
            callEdges[i] = toArray(b.calls.get(i));
        }
        ruleEnd = new boolean[n];
        for (int s : b.ends.toArray()) {
            ruleEnd[s] = true;
        }
        for (int[] calls : callEdges) {
            for (int i = 1; i < calls.length; i += 2) {
                calls[i] = passedOn(calls[i]);
            }
        }
        this.start = start;
        this.loopStates = b.loops.toArray();
        this.anyTextStates = b.anyText.toArray();
    }

    /**
     * Where return state {@code r} leads when it only passes on by one epsilon edge (nothing else to read, call
     * or end there), followed to the first state that does more. Returning there reads the same language, and
     * calls that continue alike then push the same stack: an array's first item and its later items (the item
     * rule called before the items' loop and inside it) were separate DFA states, each met for the first time.
     */
    private int passedOn(int r) {
        for (int steps = 0; steps < byteEdges.length && byteEdges[r].length == 0 && callEdges[r].length == 0
                && !ruleEnd[r] && epsEdges[r].length == 1; steps++) {
            r = epsEdges[r][0];
        }
        return r;
    }

    int stateCount() {
        return byteEdges.length;
    }

    /** Lays out every rule of {@code rules}; rule 0 is the root. */
    static Nfa build(RuleSet rules) {
        Builder b = new Builder();
        int[] starts = new int[rules.size()];
        for (int r = 0; r < rules.size(); r++) {
            starts[r] = b.state();
        }
        b.ruleStarts = starts;
        for (int r = 0; r < rules.size(); r++) {
            int end = b.emit(rules.body(r), starts[r]);
            b.ends.add(end);
        }
        return new Nfa(b, starts[0]);
    }

    private static int[] toArray(IntList list) {
        return list == null ? EMPTY : list.toArray();
    }

    private static final int[] EMPTY = new int[0];

    private static final class Builder {
        final List<IntList> bytes = new ArrayList<>();
        final List<IntList> eps = new ArrayList<>();
        final List<IntList> calls = new ArrayList<>();
        final IntList ends = new IntList();
        final IntList loops = new IntList();
        final IntList anyText = new IntList();
        int[] ruleStarts;

        int state() {
            if (bytes.size() >= MAX_STATES) {
                throw new UnsupportedSchemaException("Cannot compile schema: the grammar needs more than "
                        + MAX_STATES + " automaton states (lower length or item bounds)");
            }
            bytes.add(null);
            eps.add(null);
            calls.add(null);
            return bytes.size() - 1;
        }

        void add(List<IntList> edges, int from, int... values) {
            IntList list = edges.get(from);
            if (list == null) {
                list = new IntList();
                edges.set(from, list);
            }
            for (int v : values) {
                list.add(v);
            }
        }

        /** Emits {@code node} starting at {@code from}; returns the state after it. */
        int emit(GrammarNode node, int from) {
            return switch (node) {
                case GrammarNode.Bytes(int lo, int hi) -> {
                    int to = state();
                    add(bytes, from, lo, hi, to);
                    yield to;
                }
                case GrammarNode.Seq(List<GrammarNode> parts) -> {
                    int cur = from;
                    for (GrammarNode p : parts) {
                        cur = emit(p, cur);
                    }
                    yield cur;
                }
                case GrammarNode.Alt(List<GrammarNode> options) -> {
                    int end = state();
                    for (GrammarNode o : options) {
                        int s = state();
                        add(eps, from, s);
                        add(eps, emit(o, s), end);
                    }
                    yield end;
                }
                case GrammarNode.Repeat r -> emitRepeat(r, from);
                case GrammarNode.ReadsAnyText(GrammarNode body) -> {
                    int s = state();
                    add(eps, from, s);
                    anyText.add(s);
                    yield emit(body, s);
                }
                case GrammarNode.Call(int rule) -> {
                    int ret = state();
                    add(calls, from, ruleStarts[rule], ret);
                    yield ret;
                }
            };
        }

        private int emitRepeat(GrammarNode.Repeat r, int from) {
            int cur = from;
            for (int i = 0; i < r.min(); i++) {
                cur = emit(r.body(), cur);
            }
            if (r.max().isEmpty()) {
                int loop = state();
                loops.add(loop);
                add(eps, cur, loop);
                add(eps, emit(r.body(), loop), loop);
                return loop;
            }
            int out = state();
            add(eps, cur, out);
            for (int i = r.min(); i < r.max().getAsInt(); i++) {
                cur = emit(r.body(), cur);
                add(eps, cur, out);
            }
            return out;
        }
    }

    /** A growable int array. */
    static final class IntList {
        private int[] data = new int[4];
        private int size;

        void add(int v) {
            if (size == data.length) {
                data = java.util.Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        int size() {
            return size;
        }

        int get(int i) {
            return data[i];
        }

        int pop() {
            return data[--size];
        }

        void clear() {
            size = 0;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}
