package dev.canopy.executor.structured;

import dev.canopy.executor.tokenizer.Tokenizer;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Grammar} bound to one vocabulary: computes which tokens may come next in a grammar state
 * (by walking the vocabulary's {@link TokenTrie} against the DFA) and keeps the masks of up to
 * {@link #MAX_CACHED_MASKS} states, so the states rows keep returning to (inside a string, between
 * items) cost a lookup. Thread-safe; create per-row {@link TokenMatcher}s with {@link #matcher}.
 */
public final class TokenGrammar {

    static final int MAX_CACHED_MASKS = 4096;

    private final Grammar grammar;
    private final TokenTrie trie;
    private final int[] endTokens;
    private final byte[][] tokenBytes; // (vocab, bytes); empty for control tokens
    private final ConcurrentHashMap<Integer, long[]> masks = new ConcurrentHashMap<>();
    private final SubtreeMasks walked;

    public TokenGrammar(Grammar grammar, Tokenizer tokenizer) {
        this(grammar, TokenTrie.of(tokenizer));
    }

    TokenGrammar(Grammar grammar, TokenTrie trie) {
        this.grammar = grammar;
        this.trie = trie;
        this.endTokens = trie.endTokens;
        this.tokenBytes = trie.bytesById;
        this.walked = new SubtreeMasks(trie);
    }

    /** The grammar bound to {@code tokenizer}'s vocabulary, created once per pair so rows share its mask cache. */
    public static TokenGrammar of(Grammar grammar, Tokenizer tokenizer) {
        return grammar.boundTo(tokenizer);
    }

    public Grammar grammar() {
        return grammar;
    }

    public int vocabSize() {
        return tokenBytes.length;
    }

    /** A matcher at the start of the value. */
    public TokenMatcher matcher() {
        return new TokenMatcher(this, grammar.dfa().start());
    }

    /** The allowed-token bitmask of {@code state} (bit t of word t/64); shared, do not modify. */
    long[] mask(int state) {
        long[] cached = masks.get(state);
        if (cached != null) {
            return cached;
        }
        long[] mask;
        int reach = grammar.dfa().plainTokenReach(state, PlainTokenIndex.SHORT_CHARS);
        if (reach > 0) { // in a free or bounded string, a searching pattern, a key beside any other name
            mask = trie.plainIndex.plainUpTo(reach);
            trie.nonPlain.allowed(grammar.dfa(), state, mask);
            if (reach == PlainTokenIndex.SHORT_CHARS) { // maybe longer: walk the long plain tokens
                trie.longPlain.allowed(grammar.dfa(), state, mask);
            }
        } else {
            mask = new long[(tokenBytes.length + 63) >>> 6];
            trie.allowedByFirstByte(grammar.dfa(), state, mask, walked);
        }
        if (grammar.dfa().isAccepting(state)) {
            for (int t : endTokens) {
                mask[t >>> 6] |= 1L << t;
            }
        }
        if (masks.size() < MAX_CACHED_MASKS) {
            masks.putIfAbsent(state, mask);
        }
        return mask;
    }

    /** The state after {@code token}'s bytes, or {@link LazyDfa#DEAD}; end tokens keep the state. */
    int advance(int state, int token) {
        if (token < 0 || token >= tokenBytes.length) {
            return LazyDfa.DEAD;
        }
        byte[] bytes = tokenBytes[token];
        if (bytes.length == 0) {
            return isEnd(token) && grammar.dfa().isAccepting(state) ? state : LazyDfa.DEAD;
        }
        LazyDfa dfa = grammar.dfa();
        int s = state;
        for (byte b : bytes) {
            s = dfa.next(s, b & 0xFF);
            if (s < 0) {
                return LazyDfa.DEAD;
            }
        }
        return s;
    }

    boolean isEnd(int token) {
        for (int t : endTokens) {
            if (t == token) {
                return true;
            }
        }
        return false;
    }
}
