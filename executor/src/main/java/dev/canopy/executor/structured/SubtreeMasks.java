package dev.canopy.executor.structured;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Memoized trie walks of one grammar: which tokens of a first byte's subtree the DFA accepts from the
 * state after that byte. Masks of different states often send a byte to the same state (inside an
 * unanchored pattern, every character that does not start a match goes back to the searching state), so
 * a subtree walked once is reused by every later mask that reaches it in that state, instead of walking
 * up to the whole trie for each new state. A pair is kept when it comes back a second time (converting
 * a walk costs about as much as the walk). Thread-safe; holds at most {@link #MAX_WORDS} words.
 */
final class SubtreeMasks {

    /** Subtrees smaller than this are walked each time: replaying them saves nothing. */
    static final int MIN_NODES = 64;
    /** The most bitset words kept (16 MB); past it, subtrees are walked without being kept. */
    static final long MAX_WORDS = 1L << 21;

    private final TokenTrie trie;
    private final ConcurrentHashMap<Long, long[]> walked = new ConcurrentHashMap<>(); // (node, state): subtree-relative bits
    private final AtomicLong words = new AtomicLong();
    private final java.util.Set<Long> seen = ConcurrentHashMap.newKeySet(); // (node, state) walked once

    SubtreeMasks(TokenTrie trie) {
        this.trie = trie;
    }

    /**
     * Sets in {@code mask} the tokens of depth-1 node {@code node}'s subtree that {@code dfa} accepts from
     * {@code state}, where {@code after} is the (live) state after the node's byte.
     */
    void allow(LazyDfa dfa, int state, int node, int after, long[] mask) {
        int end = trie.next[node];
        if (end - node < MIN_NODES) {
            trie.allowed(dfa, state, mask, node, end);
            return;
        }
        long key = ((long) node << 32) | after;
        long[] bits = walked.get(key);
        if (bits == null) {
            if (seen.add(key)) { // kept from the second time on: most pairs never come back
                trie.allowed(dfa, state, mask, node, end);
                return;
            }
            bits = walk(dfa, state, node, end);
            if (words.addAndGet(bits.length) <= MAX_WORDS) {
                walked.putIfAbsent(key, bits);
            }
        }
        int base = trie.tokensFrom[node];
        for (int w = 0; w < bits.length; w++) {
            for (long word = bits[w]; word != 0; word &= word - 1) {
                int t = trie.subtreeTokens[base + (w << 6) + Long.numberOfTrailingZeros(word)];
                mask[t >>> 6] |= 1L << t;
            }
        }
    }

    /** The subtree's accepted tokens as bits over its slice of {@link TokenTrie#subtreeTokens}. */
    private long[] walk(LazyDfa dfa, int state, int node, int end) {
        long[] scratch = new long[(trie.vocabSize + 63) >>> 6];
        trie.allowed(dfa, state, scratch, node, end);
        int base = trie.tokensFrom[node];
        int count = trie.tokensFrom[end] - base;
        long[] bits = new long[(count + 63) >>> 6];
        for (int k = 0; k < count; k++) {
            int t = trie.subtreeTokens[base + k];
            if ((scratch[t >>> 6] & (1L << t)) != 0) {
                bits[k >>> 6] |= 1L << k;
            }
        }
        return bits;
    }
}
