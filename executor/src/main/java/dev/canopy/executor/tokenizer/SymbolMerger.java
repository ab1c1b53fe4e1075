package dev.canopy.executor.tokenizer;

import java.util.Optional;
import java.util.PriorityQueue;

/**
 * The merge loop shared by SentencePiece and byte-level BPE: starting from a row of symbols,
 * repeatedly replace the adjacent pair with the lowest merge cost by its merged symbol (ties: the
 * leftmost pair), until no adjacent pair merges.
 *
 * <p>Runs in O(n log n): the symbols form a linked list and candidate pairs wait in a priority
 * queue; a candidate whose symbols have changed since it was queued is skipped when it comes up.
 * The result is the same as rescanning all pairs after every merge.
 */
final class SymbolMerger {

    /** Two adjacent symbols merge into {@code result}; lower {@code cost} merges first. */
    record Merge(int result, double cost) {}

    /** Which adjacent symbol pairs merge. */
    @FunctionalInterface
    interface MergeRule {
        /** The merge of {@code left} followed by {@code right}, if they merge. */
        Optional<Merge> find(int left, int right);
    }

    /** A queued pair: the nodes at {@code left}/{@code right} held these symbols when it was queued. */
    private record Candidate(int left, int right, int leftSymbol, int rightSymbol, Merge merge) {}

    private static final int NONE = -1;

    private SymbolMerger() {}

    /** Merges {@code symbols} under {@code rule} and returns the symbols that remain, in order. */
    static int[] merge(int[] symbols, MergeRule rule) {
        int n = symbols.length;
        int[] symbol = symbols.clone(); // (n) symbol at each node; NONE once merged into its left neighbour
        int[] next = new int[n]; // (n) index of the next live node, or NONE
        int[] prev = new int[n]; // (n) index of the previous live node, or NONE
        for (int i = 0; i < n; i++) {
            next[i] = i + 1 < n ? i + 1 : NONE;
            prev[i] = i - 1;
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>(Math.max(1, n),
                (a, b) -> a.merge().cost() != b.merge().cost()
                        ? Double.compare(a.merge().cost(), b.merge().cost())
                        : Integer.compare(a.left(), b.left()));
        for (int i = 0; i + 1 < n; i++) {
            offer(queue, rule, symbol, i, i + 1);
        }
        int live = n;
        while (!queue.isEmpty()) {
            Candidate c = queue.poll();
            if (symbol[c.left()] != c.leftSymbol() || symbol[c.right()] != c.rightSymbol() || next[c.left()] != c.right()) {
                continue; // stale: one side has merged since
            }
            symbol[c.left()] = c.merge().result();
            symbol[c.right()] = NONE;
            int after = next[c.right()];
            next[c.left()] = after;
            if (after != NONE) {
                prev[after] = c.left();
                offer(queue, rule, symbol, c.left(), after);
            }
            if (prev[c.left()] != NONE) {
                offer(queue, rule, symbol, prev[c.left()], c.left());
            }
            live--;
        }
        int[] out = new int[live]; // (live) surviving symbols in order; node 0 always survives
        int k = 0;
        for (int i = n > 0 ? 0 : NONE; i != NONE; i = next[i]) {
            out[k++] = symbol[i];
        }
        return out;
    }

    private static void offer(PriorityQueue<Candidate> queue, MergeRule rule, int[] symbol, int left, int right) {
        rule.find(symbol[left], symbol[right])
                .ifPresent(m -> queue.add(new Candidate(left, right, symbol[left], symbol[right], m)));
    }
}
