package dev.canopy.executor.structured;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs an {@link Nfa} byte by byte as a deterministic automaton built on demand. A DFA state is the
 * set of configurations (NFA state, call stack) the input so far can be in, after following epsilon,
 * call and return edges; only configurations that can read a byte are kept, plus whether the root
 * rule may end here. Each state's successor per byte is computed once and kept in a flat table, so
 * repeated states (inside a string, between array items) cost one array read per byte.
 *
 * <p>Shared by every row using one grammar: reads are lock-free; computing a missing transition takes
 * the lock. Call stacks deeper than {@link #MAX_DEPTH} are cut, which refuses inputs nested that deep
 * (and ends left recursion, which would otherwise grow the stack forever).
 */
final class LazyDfa {

    static final int DEAD = -1;
    private static final int UNKNOWN = -2;
    static final int MAX_DEPTH = 512;
    /** {@link #plainReach} of a state inside a free string: any number of plain characters. */
    static final int LOOPS = Integer.MAX_VALUE;

    private final Nfa nfa;
    // Call stacks, interned: stack 0 is empty; stack k is (parent[k], returnState[k]).
    private final Nfa.IntList stackParent = new Nfa.IntList();
    private final Nfa.IntList stackReturn = new Nfa.IntList();
    private final Nfa.IntList stackDepth = new Nfa.IntList();
    private final Map<Long, Integer> stackIds = new HashMap<>();
    // DFA states, interned by their configuration sets.
    private final List<long[]> cores = new ArrayList<>(); // (state, configurations: stack << 32 | nfa state)
    private final Map<StateKey, Integer> stateIds = new HashMap<>();
    private volatile int[] table = new int[0]; // (state, 256): successor state, DEAD or UNKNOWN
    private volatile boolean[] accepting = new boolean[0]; // (state)
    private volatile int[] plainSuccessors = new int[0]; // (state): StringBodyLoop#successor or UNKNOWN
    private volatile byte[] plainLoopHeld = new byte[0]; // (state): 0 not yet known, 1 reads any plain text (PlainLoops), 2 not, 3 not known without exploring
    private final PlainLoops plainLoops;
    private final int start;
    private final byte[] classLo; // (256): the first byte of the byte's class (bytes no byte edge tells apart)
    private final byte[] classHi; // (256): the last byte of its class
    private final int[][] epsClosures; // (nfa state): see epsilonClosure, null until needed
    private final int[] epsSeen; // (nfa state): epsMark when seen by the current epsilonClosure search
    private int epsMark;
    private final Nfa.IntList epsTodo = new Nfa.IntList();
    private final Subsumption subsumption;
    private final LongStack seeds = new LongStack();
    private final Map<SeedKey, Integer> closures = new HashMap<>(); // (sorted seed configurations): closure
    private final LongSet visited = new LongSet();
    private final LongStack work = new LongStack();
    private final LongStack core = new LongStack();

    LazyDfa(Nfa nfa) {
        this(nfa, true);
    }

    /** @param pruneSubsumed drop configurations that add nothing to a state's language ({@link Subsumption}) */
    private LazyDfa(Nfa nfa, boolean pruneSubsumed) {
        this.nfa = nfa;
        this.epsClosures = new int[nfa.stateCount()][];
        this.epsSeen = new int[nfa.stateCount()];
        this.classLo = new byte[256];
        this.classHi = new byte[256];
        ByteClasses.partition(nfa.byteEdges, classLo, classHi);
        this.subsumption = pruneSubsumed ? new Subsumption(nfa, this::epsilonClosure, classHi) : null;
        this.plainLoops = new PlainLoops(nfa, this::epsilonClosure);
        stackParent.add(0);
        stackReturn.add(0);
        stackDepth.add(0);
        synchronized (this) {
            this.start = closure(new long[] {nfa.start});
        }
    }

    /** A fresh DFA of the same automaton that keeps every configuration (for checking {@link Subsumption}). */
    LazyDfa withoutPruning() {
        return new LazyDfa(nfa, false);
    }

    Nfa nfa() {
        return nfa;
    }

    /** The state before any input. */
    int start() {
        return start;
    }

    /** The state after reading {@code b} (0..255) in {@code state}, or {@link #DEAD}. */
    int next(int state, int b) {
        int v = table[(state << 8) | b];
        return v != UNKNOWN ? v : computeNext(state, b);
    }

    /** The transition table as of now, for tight loops: an entry of {@link #isUnknown} means call {@link #next}. */
    int[] table() {
        return table;
    }

    static boolean isUnknown(int entry) {
        return entry == UNKNOWN;
    }

    /** Whether the whole value may end in {@code state}. */
    synchronized boolean isAccepting(int state) {
        return accepting[state];
    }

    /** Whether some byte can follow in {@code state}. */
    synchronized boolean canContinue(int state) {
        return cores.get(state).length > 0;
    }

    /** Whether every plain JSON string character leads from {@code state} back to it (cached). */
    boolean loopsOnPlainChars(int state) {
        return plainSuccessor(state) == state;
    }

    /** The state every plain JSON string character leads to from {@code state}, DEAD, or {@link StringBodyLoop#MIXED} (cached). */
    int plainSuccessor(int state) {
        int[] known = plainSuccessors;
        if (state < known.length && known[state] != UNKNOWN) {
            return known[state];
        }
        int successor = StringBodyLoop.successor(this, state);
        synchronized (this) {
            int[] current = plainSuccessors;
            if (state >= current.length) {
                int[] grown = Arrays.copyOf(current, Math.max(16, (state + 1) * 2));
                Arrays.fill(grown, current.length, grown.length, UNKNOWN);
                current = grown;
            }
            current[state] = successor;
            plainSuccessors = current;
        }
        return successor;
    }

    /**
     * Whether the configurations of one call stack in {@code state} read any plain text ({@link PlainLoops}),
     * so no plain text leads from it to {@link #DEAD}, though the state itself may change with each character
     * (cached).
     */
    boolean readsAnyPlainText(int state) {
        byte[] known = plainLoopHeld;
        if (state < known.length && (known[state] == 1 || known[state] == 2)) {
            return known[state] == 1;
        }
        return decidePlainLoop(state, true);
    }

    /**
     * Whether {@link #readsAnyPlainText} is yes without exploring sets of NFA states: some stack's configurations
     * hold a loop that reads plain text back or a {@link GrammarNode.ReadsAnyText} start (a free string's body, a
     * key beside any other name). Cheap, so asked before {@link #plainReach}, which builds the state's plain
     * successors (a new state per first letter of the listed names at a key); false settles nothing (cached).
     */
    boolean readsAnyPlainTextAtOnce(int state) {
        byte[] known = plainLoopHeld;
        if (state < known.length && known[state] != 0) {
            return known[state] == 1;
        }
        return decidePlainLoop(state, false);
    }

    private synchronized boolean decidePlainLoop(int state, boolean explore) {
        byte[] known = plainLoopHeld; // another thread may have decided while this one waited for the lock
        if (state < known.length && (known[state] == 1 || known[state] == 2 || (known[state] == 3 && !explore))) {
            return known[state] == 1; // never overwrite an explored answer (2) with "not known at once" (3)
        }
        long[] core = cores.get(state); // sorted: the configurations of one stack are adjacent, by NFA state
        boolean held = false;
        for (int from = 0, to; from < core.length && !held; from = to) {
            long stack = core[from] >>> 32;
            for (to = from + 1; to < core.length && core[to] >>> 32 == stack; to++) { }
            int[] states = new int[to - from];
            for (int i = from; i < to; i++) {
                states[i - from] = (int) core[i];
            }
            held = explore ? plainLoops.readsAnyPlainText(states) : plainLoops.readsAnyPlainTextAtOnce(states);
        }
        byte[] current = plainLoopHeld;
        if (state >= current.length) {
            current = Arrays.copyOf(current, Math.max(16, (state + 1) * 2));
        }
        current[state] = held ? (byte) 1 : explore ? (byte) 2 : (byte) 3;
        plainLoopHeld = current;
        return held;
    }

    /**
     * {@link #plainReach}, but {@link #LOOPS} for a state that {@linkplain #readsAnyPlainText reads any plain text}:
     * such a state takes every plain token like a free string. Asked at once first ({@link #readsAnyPlainTextAtOnce}:
     * a key beside any other name, a free string's body), so that its plain successors (one per name's first letter
     * at a key) need not be built; explored only where plain characters lead to different states (-1: a searching
     * pattern). What the mask paths ask.
     */
    int plainTokenReach(int state, int limit) {
        if (readsAnyPlainTextAtOnce(state)) {
            return LOOPS;
        }
        int reach = plainReach(state, limit);
        return reach < 0 && readsAnyPlainText(state) ? LOOPS : reach;
    }

    /**
     * How many plain characters in a row {@code state} can read: {@link #LOOPS} when they lead back to a
     * state on the way (a free string), {@code limit} when the chain goes on beyond {@code limit} steps (each
     * step builds a new state's plain-character successors, so callers stop at the longest plain token), or -1 when a state on the way sends plain
     * characters to different states.
     */
    int plainReach(int state, int limit) {
        int cur = state;
        for (int n = 0; n < limit; n++) {
            int next = plainSuccessor(cur);
            if (next == StringBodyLoop.MIXED) {
                return -1;
            }
            if (next == DEAD) {
                return n;
            }
            if (next == cur) {
                return LOOPS;
            }
            cur = next;
        }
        return limit;
    }

    synchronized int stateCount() {
        return cores.size();
    }

    /**
     * Computes the successor of {@code state} on {@code b} and on every byte of its class at once: bytes
     * that no byte edge of the automaton tells apart lead to the same state, so a new state costs one
     * closure per class met instead of one per byte.
     */
    private synchronized int computeNext(int state, int b) {
        int[] t = table;
        int known = t[(state << 8) | b];
        if (known != UNKNOWN) {
            return known;
        }
        seeds.clear();
        for (long c : cores.get(state)) {
            int[] edges = nfa.byteEdges[(int) c];
            for (int i = 0; i < edges.length; i += 3) {
                if (b >= edges[i] && b <= edges[i + 1]) {
                    seeds.push((c & 0xFFFF_FFFF_0000_0000L) | edges[i + 2]);
                }
            }
        }
        int result = DEAD;
        if (!seeds.isEmpty()) { // classes with the same seeds (letters, digits) share one closure
            long[] key = seeds.toArray();
            sort(key);
            SeedKey seedKey = new SeedKey(key);
            Integer known2 = closures.get(seedKey);
            result = known2 != null ? known2 : closure(key);
            if (known2 == null) {
                closures.put(seedKey, result);
            }
        }
        t = table; // the closure may have grown the table: write the current one
        int row = state << 8;
        Arrays.fill(t, row + (classLo[b] & 0xFF), row + (classHi[b] & 0xFF) + 1, result);
        return result;
    }

    /** The interned DFA state of everything reachable from {@code seeds} without reading a byte; DEAD when nothing is. */
    private int closure(long[] seeds) {
        visited.clear();
        work.clear();
        core.clear();
        for (long seed : seeds) {
            work.push(seed);
        }
        boolean accept = false;
        while (!work.isEmpty()) {
            long c = work.pop();
            if (!visited.add(c)) {
                continue;
            }
            int k = (int) (c >>> 32);
            for (int s : epsilonClosure((int) c)) {
                long sc = config(k, s);
                if (s != (int) c && !visited.add(sc)) {
                    continue;
                }
                if (nfa.byteEdges[s].length > 0) {
                    core.push(sc);
                }
                int[] calls = nfa.callEdges[s];
                for (int i = 0; i < calls.length; i += 2) {
                    if (stackDepth.get(k) < MAX_DEPTH) {
                        work.push(config(push(k, calls[i + 1]), calls[i]));
                    }
                }
                if (nfa.ruleEnd[s]) {
                    if (k == 0) {
                        accept = true;
                    } else {
                        work.push(config(stackParent.get(k), stackReturn.get(k)));
                    }
                }
            }
        }
        if (core.isEmpty() && !accept) {
            return DEAD;
        }
        long[] sorted = core.toArray();
        sort(sorted);
        return intern(new StateKey(subsumption == null ? sorted : subsumption.prune(sorted), accept));
    }

    /** The states reachable from {@code s} by epsilon edges alone that read a byte, call, or end a rule ({@code s} first). */
    private int[] epsilonClosure(int s) {
        int[] known = epsClosures[s];
        if (known != null) {
            return known;
        }
        Nfa.IntList out = new Nfa.IntList();
        out.add(s);
        int mark = ++epsMark; // one marks array for every call: a fresh set per call cost more than the search
        if (mark == 0) {
            Arrays.fill(epsSeen, 0);
            mark = epsMark = 1;
        }
        epsSeen[s] = mark;
        Nfa.IntList todo = epsTodo;
        todo.clear();
        todo.add(s);
        while (todo.size() > 0) {
            int x = todo.pop();
            for (int t : nfa.epsEdges[x]) {
                if (epsSeen[t] != mark) {
                    epsSeen[t] = mark;
                    todo.add(t);
                    if (nfa.byteEdges[t].length > 0 || nfa.callEdges[t].length > 0 || nfa.ruleEnd[t]) {
                        out.add(t);
                    }
                }
            }
        }
        int[] result = out.toArray();
        epsClosures[s] = result;
        return result;
    }

    private int intern(StateKey key) {
        Integer id = stateIds.get(key);
        if (id != null) {
            return id;
        }
        int newId = cores.size();
        cores.add(key.core);
        stateIds.put(key, newId);
        int[] t = table;
        boolean[] acc = accepting;
        if ((newId + 1) << 8 > t.length) {
            int capacity = Math.max(16, (newId + 1) * 2);
            int[] grown = Arrays.copyOf(t, capacity << 8);
            Arrays.fill(grown, t.length, grown.length, UNKNOWN);
            acc = Arrays.copyOf(acc, capacity);
            acc[newId] = key.accept;
            accepting = acc;
            table = grown;
        } else {
            acc[newId] = key.accept;
        }
        return newId;
    }

    private int push(int stack, int returnState) {
        long key = ((long) stack << 32) | (returnState & 0xFFFF_FFFFL);
        Integer id = stackIds.get(key);
        if (id == null) {
            id = stackParent.size();
            stackParent.add(stack);
            stackReturn.add(returnState);
            stackDepth.add(stackDepth.get(stack) + 1);
            stackIds.put(key, id);
        }
        return id;
    }

    /**
     * Sorts configurations in place. Seeds mostly come out of a sorted state in order already, and
     * {@link Arrays#sort(long[])} quicksorts arrays of up to thousands of elements whatever their order.
     */
    private static void sort(long[] configs) {
        for (int i = 1; i < configs.length; i++) {
            if (configs[i - 1] > configs[i]) {
                Arrays.sort(configs);
                return;
            }
        }
    }

    private static long config(int stack, int state) {
        return ((long) stack << 32) | (state & 0xFFFF_FFFFL);
    }

    private record StateKey(long[] core, boolean accept) {
        @Override
        public boolean equals(Object o) {
            return o instanceof StateKey k && k.accept == accept && Arrays.equals(k.core, core);
        }

        @Override
        public int hashCode() {
            return mixedHash(core) * 31 + (accept ? 1 : 0);
        }
    }

    private record SeedKey(long[] seeds) {
        @Override
        public boolean equals(Object o) {
            return o instanceof SeedKey k && Arrays.equals(k.seeds, seeds);
        }

        @Override
        public int hashCode() {
            return mixedHash(seeds);
        }
    }

    /**
     * A hash of configurations that spreads them: {@link Arrays#hashCode(long[])} folds each one to
     * {@code stack ^ state}, so small stacks and states collide (stack 1 state 5 is stack 0 state 4) and the
     * interning maps degrade to long chains of {@code Arrays.equals}.
     */
    static int mixedHash(long[] configs) {
        long h = configs.length;
        for (long c : configs) {
            h = (h + c) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 31;
        }
        return (int) (h ^ (h >>> 32));
    }

    /** A growable stack of longs. */
    private static final class LongStack {
        private long[] data = new long[16];
        private int size;

        boolean isEmpty() {
            return size == 0;
        }

        long pop() {
            return data[--size];
        }

        void push(long v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, size * 2);
            }
            data[size++] = v;
        }

        void clear() {
            size = 0;
        }

        long[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }

    /** An open-addressing set of longs (no -1 keys: configurations are non-negative). */
    private static final class LongSet {
        private long[] keys = newTable(64);
        private int size;

        private static long[] newTable(int n) {
            long[] t = new long[n];
            Arrays.fill(t, -1L);
            return t;
        }

        void clear() {
            if (size > 0) {
                if (keys.length > 256 && size * 8 < keys.length) { // one big closure must not make every later clear slow
                    keys = newTable(Math.max(64, Integer.highestOneBit(size) * 4));
                } else {
                    Arrays.fill(keys, -1L);
                }
                size = 0;
            }
        }

        boolean add(long v) {
            if (2 * (size + 1) > keys.length) {
                long[] old = keys;
                keys = newTable(old.length * 2);
                size = 0;
                for (long k : old) {
                    if (k != -1L) {
                        add(k);
                    }
                }
            }
            int mask = keys.length - 1;
            int i = (int) (mix(v) & mask);
            while (keys[i] != -1L) {
                if (keys[i] == v) {
                    return false;
                }
                i = (i + 1) & mask;
            }
            keys[i] = v;
            size++;
            return true;
        }

        private static long mix(long v) {
            v *= 0x9E3779B97F4A7C15L;
            return v ^ (v >>> 29);
        }
    }
}
