package dev.canopy.prefixtree;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A compressed radix tree over token sequences: every node is a run of tokens shared by all the
 * sequences below it.
 *
 * <p>Lean by design, for millions of prompts: nodes are rows of parallel {@code int} arrays (no node
 * objects, no boxed integers), children are found through one primitive hash map keyed by
 * {@code (parent, first token)}, and an edge label is a slice of the token array of the sequence
 * that created it (the tree holds the callers' arrays, it does not copy them: do not change them).
 * Sequence ids are given in insertion order, starting at 0. Node ids are stable: a split adds a new
 * node above the split one.
 *
 * <p>Not thread-safe: build it on one thread, then read it from any.
 */
public final class PrefixTree {

    /** The root node: the empty prefix, through which every sequence passes. */
    public static final int ROOT = 0;

    private static final int NONE = -1;

    private int[][] sequences; // (sequenceCount) the callers' token arrays, by sequence id
    private int[] terminal; // (sequenceCount) node at which each sequence ends
    private int sequenceCount;
    private long totalTokens;

    private int[] parent; // (nodeCount) parent node; unused for ROOT
    private int[] labelSequence; // (nodeCount) sequence whose token array holds the edge label
    private int[] labelStart; // (nodeCount) label start in that array, which is also the parent's depth
    private int[] labelLength; // (nodeCount) tokens on the edge into the node; 0 for ROOT
    private int[] count; // (nodeCount) sequences that pass through or end at the node
    private int nodeCount;

    private final LongIntHashMap childByFirstToken; // (parent << 32 | first token) -> child node
    private TreeLayout layout; // built on first read of children, dropped by insert

    /** Creates an empty tree. */
    public PrefixTree() {
        this(1024);
    }

    /** Creates an empty tree sized for about {@code expectedSequences} sequences, to avoid regrowth. */
    public PrefixTree(int expectedSequences) {
        if (expectedSequences < 0) {
            throw new IllegalArgumentException("Cannot create a prefix tree: expectedSequences is " + expectedSequences + "; it must be >= 0");
        }
        int seqCapacity = Math.max(16, expectedSequences);
        int nodeCapacity = Math.max(16, (int) Math.min(Integer.MAX_VALUE - 8, expectedSequences * 2L));
        sequences = new int[seqCapacity][];
        terminal = new int[seqCapacity];
        parent = new int[nodeCapacity];
        labelSequence = new int[nodeCapacity];
        labelStart = new int[nodeCapacity];
        labelLength = new int[nodeCapacity];
        count = new int[nodeCapacity];
        childByFirstToken = new LongIntHashMap(nodeCapacity);
        nodeCount = 1; // ROOT: empty label, no parent
    }

    /**
     * Adds a sequence (it may be empty, equal to an earlier one, or a prefix of one), splitting an edge
     * where the sequence leaves it part way. Holds {@code tokens} without copying it.
     *
     * @return the new sequence's id: the number of sequences inserted before it
     */
    public int insert(int[] tokens) {
        Objects.requireNonNull(tokens, "tokens");
        int id = addSequence(tokens);
        layout = null;
        int node = ROOT;
        count[ROOT]++;
        int pos = 0;
        while (pos < tokens.length) {
            int child = childByFirstToken.getOrDefault(childKey(node, tokens[pos]), NONE);
            if (child == NONE) {
                node = addNode(node, id, pos, tokens.length - pos);
                count[node]++;
                break;
            }
            int matched = matchAlongEdge(child, tokens, pos);
            if (matched < labelLength[child]) {
                child = split(child, matched);
            }
            node = child;
            count[node]++;
            pos += matched;
        }
        terminal[id] = node;
        return id;
    }

    /**
     * Finds the longest prefix of {@code tokens} stored in the tree (as a prefix of any inserted
     * sequence). The match may end part way along an edge.
     */
    public PrefixMatch longestPrefixMatch(int[] tokens) {
        Objects.requireNonNull(tokens, "tokens");
        int node = ROOT;
        int pos = 0;
        while (pos < tokens.length) {
            int child = childByFirstToken.getOrDefault(childKey(node, tokens[pos]), NONE);
            if (child == NONE) {
                break;
            }
            int matched = matchAlongEdge(child, tokens, pos);
            if (matched < labelLength[child]) {
                return new PrefixMatch(node, pos + matched);
            }
            node = child;
            pos += matched;
        }
        return new PrefixMatch(node, pos);
    }

    /** Number of sequences inserted. */
    public int size() {
        return sequenceCount;
    }

    /** Number of nodes, the root included. */
    public int nodeCount() {
        return nodeCount;
    }

    /** Sum of the lengths of all inserted sequences. */
    public long totalTokens() {
        return totalTokens;
    }

    /** Tokens stored on the tree's edges: each shared prefix counted once. */
    public long distinctTokens() {
        long sum = 0;
        for (int n = 1; n < nodeCount; n++) {
            sum += labelLength[n];
        }
        return sum;
    }

    /** Tokens of prefill saved by computing every shared prefix once: {@code totalTokens - distinctTokens}. */
    public long totalTokensSaved() {
        return totalTokens - distinctTokens();
    }

    /** The token array of sequence {@code id}, as inserted (not a copy). */
    public int[] sequence(int id) {
        checkSequence(id);
        return sequences[id];
    }

    /** The node at which sequence {@code id} ends; its depth is the sequence's length. */
    public int terminalNode(int id) {
        checkSequence(id);
        return terminal[id];
    }

    /** The node's parent, or empty for the root. */
    public OptionalInt parent(int node) {
        checkNode(node);
        return node == ROOT ? OptionalInt.empty() : OptionalInt.of(parent[node]);
    }

    /** Tokens from the root to the end of the node's edge. */
    public int depth(int node) {
        checkNode(node);
        return labelStart[node] + labelLength[node];
    }

    /** Tokens on the edge into the node (0 for the root). */
    public int edgeLength(int node) {
        checkNode(node);
        return labelLength[node];
    }

    /** A copy of the tokens on the edge into the node. */
    public int[] edgeLabel(int node) {
        checkNode(node);
        int start = labelStart[node];
        return Arrays.copyOfRange(sequences[labelSequence[node]], start, start + labelLength[node]);
    }

    /** Sequences that pass through or end at the node. */
    public int requestCount(int node) {
        checkNode(node);
        return count[node];
    }

    /**
     * Prefill tokens saved on the node's edge by computing it once for all the sequences through it:
     * {@code edgeLength * (requestCount - 1)}.
     */
    public long tokensSaved(int node) {
        checkNode(node);
        return (long) labelLength[node] * Math.max(0, count[node] - 1);
    }

    /** The node's children, ordered by their first token. */
    public int[] children(int node) {
        checkNode(node);
        return layout().children(node);
    }

    /** Ids of the sequences that end exactly at the node, ascending. */
    public int[] sequencesEndingAt(int node) {
        checkNode(node);
        return layout().sequencesEndingAt(node);
    }

    // ---- package-private fast paths for the planner and simulator (no checks) ----

    TreeLayout layout() {
        if (layout == null) {
            layout = TreeLayout.of(this);
        }
        return layout;
    }

    int parentOf(int node) {
        return parent[node];
    }

    int parentDepthOf(int node) {
        return labelStart[node];
    }

    int depthOf(int node) {
        return labelStart[node] + labelLength[node];
    }

    int edgeLengthOf(int node) {
        return labelLength[node];
    }

    int terminalOf(int id) {
        return terminal[id];
    }

    int firstTokenOf(int node) {
        return sequences[labelSequence[node]][labelStart[node]];
    }

    // ---- building ----

    private int matchAlongEdge(int child, int[] tokens, int pos) {
        int[] label = sequences[labelSequence[child]];
        int start = labelStart[child];
        int length = labelLength[child];
        int k = 1; // the first token matched through the child lookup
        while (k < length && pos + k < tokens.length && label[start + k] == tokens[pos + k]) {
            k++;
        }
        return k;
    }

    /** Splits {@code child}'s edge after {@code keep} tokens; returns the new node holding the upper part. */
    private int split(int child, int keep) {
        int upper = addNode(parent[child], labelSequence[child], labelStart[child], keep);
        count[upper] = count[child];
        labelStart[child] += keep;
        labelLength[child] -= keep;
        parent[child] = upper;
        childByFirstToken.put(childKey(upper, firstTokenOf(child)), child);
        return upper;
    }

    private int addNode(int parentNode, int sequence, int start, int length) {
        if (nodeCount == parent.length) {
            growNodes();
        }
        int node = nodeCount++;
        parent[node] = parentNode;
        labelSequence[node] = sequence;
        labelStart[node] = start;
        labelLength[node] = length;
        count[node] = 0;
        childByFirstToken.put(childKey(parentNode, sequences[sequence][start]), node);
        return node;
    }

    private int addSequence(int[] tokens) {
        if (sequenceCount == sequences.length) {
            int capacity = grownCapacity(sequences.length);
            sequences = Arrays.copyOf(sequences, capacity);
            terminal = Arrays.copyOf(terminal, capacity);
        }
        sequences[sequenceCount] = tokens;
        totalTokens += tokens.length;
        return sequenceCount++;
    }

    private void growNodes() {
        int capacity = grownCapacity(parent.length);
        parent = Arrays.copyOf(parent, capacity);
        labelSequence = Arrays.copyOf(labelSequence, capacity);
        labelStart = Arrays.copyOf(labelStart, capacity);
        labelLength = Arrays.copyOf(labelLength, capacity);
        count = Arrays.copyOf(count, capacity);
    }

    private static int grownCapacity(int current) {
        long next = current + (current >> 1) + 16L;
        if (next > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("Cannot grow the prefix tree beyond " + current + " entries");
        }
        return (int) next;
    }

    private static long childKey(int parentNode, int firstToken) {
        return ((long) parentNode << 32) | (firstToken & 0xFFFF_FFFFL);
    }

    private void checkNode(int node) {
        if (node < 0 || node >= nodeCount) {
            throw new IllegalArgumentException("Cannot read node " + node + ": the tree has " + nodeCount + " nodes, ids 0.." + (nodeCount - 1));
        }
    }

    private void checkSequence(int id) {
        if (id < 0 || id >= sequenceCount) {
            throw new IllegalArgumentException("Cannot read sequence " + id + ": the tree holds " + sequenceCount + " sequences");
        }
    }
}
