package dev.canopy.executor.structured;

import dev.canopy.executor.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A vocabulary's tokens as a byte trie laid out flat in depth-first order, so computing a mask is one
 * forward pass over arrays: a node whose byte the grammar refuses skips its whole subtree by jumping to
 * {@code next}. Control tokens (no bytes) are not in the trie; the matcher allows the end-of-generation
 * tokens itself. Built once per tokenizer and shared.
 */
public final class TokenTrie {

    private static final Map<Tokenizer, TokenTrie> CACHE = new WeakHashMap<>();
    /**
     * Checking whether a state reads plain characters uniformly costs about a hundred DFA transitions
     * (new states among them); below this many nodes, walking the subtree is cheaper.
     */
    private static final int BULK_MIN_NODES = 256;

    final byte[] label; // (nodes): the byte this node reads
    final int[] depth; // (nodes): 1 for children of the root
    final int[] next; // (nodes): index of the first node after this node's subtree
    final int[] token; // (nodes): a token whose bytes end here, or -1
    final int[] sameBytes; // (vocab): another token with the same bytes, or -1
    final int maxDepth;
    final int vocabSize;
    final byte[][] bytesById; // (vocab, bytes); empty for control tokens
    final int[] endTokens; // the end-of-generation tokens
    final TokenTrie nonPlain; // the other tokens (null in that trie itself)
    final long[][] plainAfterFirst; // (256, vocab / 64): tokens of 2+ bytes whose bytes after the first are plain
    final TokenTrie notPlainAfterFirst; // the other tokens (null in the derived tries)
    final int[] firstByteNode; // (256): the depth-1 node reading that byte, or -1
    final int[] plainTail; // (nodes): the most characters below the node when every token's bytes below it are plain, else -1
    final int[] subtreeTokens; // the tokens in node order (same-bytes tokens included)
    final int[] tokensFrom; // (nodes + 1): index in subtreeTokens of the first token at or after the node
    final PlainTokenIndex plainIndex; // plain tokens by length (null in the derived tries)
    final TokenTrie longPlain; // tokens whose plain text or plain tail is over SHORT_CHARS characters (null in the derived tries)

    private TokenTrie(byte[][] bytesById, int[] endTokens) {
        this(bytesById, endTokens, true);
    }

    private TokenTrie(byte[][] bytesById, int[] endTokens, boolean withSlices) {
        vocabSize = bytesById.length;
        this.bytesById = bytesById;
        this.endTokens = endTokens;
        if (withSlices) {
            byte[][] rest = new byte[vocabSize][];
            for (int id = 0; id < vocabSize; id++) {
                boolean plain = bytesById[id].length > 0 && StringBodyLoop.isPlain(bytesById[id]);
                rest[id] = plain ? new byte[0] : bytesById[id];
            }
            nonPlain = new TokenTrie(rest, endTokens, false);
            plainAfterFirst = new long[256][];
            byte[][] notPlain = new byte[vocabSize][];
            for (int id = 0; id < vocabSize; id++) {
                byte[] b = bytesById[id];
                boolean plainTail = b.length > 1 && StringBodyLoop.isPlain(Arrays.copyOfRange(b, 1, b.length));
                if (plainTail) {
                    int first = b[0] & 0xFF;
                    if (plainAfterFirst[first] == null) {
                        plainAfterFirst[first] = new long[(vocabSize + 63) >>> 6];
                    }
                    plainAfterFirst[first][id >>> 6] |= 1L << id;
                }
                notPlain[id] = plainTail ? new byte[0] : b;
            }
            notPlainAfterFirst = new TokenTrie(notPlain, endTokens, false);
            plainIndex = new PlainTokenIndex(bytesById);
            longPlain = new TokenTrie(longPlainTokens(bytesById), endTokens, false);
        } else {
            plainIndex = null;
            longPlain = null;
            nonPlain = null;
            plainAfterFirst = null;
            notPlainAfterFirst = null;
        }
        Integer[] order = new Integer[bytesById.length];
        int n = 0;
        for (int id = 0; id < bytesById.length; id++) {
            if (bytesById[id].length > 0) {
                order[n++] = id;
            }
        }
        Integer[] ids = Arrays.copyOf(order, n);
        Arrays.sort(ids, (a, b) -> Arrays.compareUnsigned(bytesById[a], bytesById[b]));
        int capacity = 0;
        for (Integer id : ids) {
            capacity += bytesById[id].length;
        }
        byte[] lab = new byte[capacity];
        int[] dep = new int[capacity];
        int[] nxt = new int[capacity];
        int[] tok = new int[capacity];
        sameBytes = new int[vocabSize];
        Arrays.fill(sameBytes, -1);
        int[] tail = new int[capacity];
        int[] open = new int[1]; // (depth): index of the open node at that depth
        int count = 0;
        int longest = 0;
        byte[] prev = new byte[0];
        for (Integer id : ids) {
            byte[] b = bytesById[id];
            int common = Arrays.mismatch(prev, b);
            if (common < 0) { // same bytes as the previous token
                int node = open[b.length];
                sameBytes[id] = tok[node];
                tok[node] = id;
                continue;
            }
            for (int d = prev.length; d > common; d--) {
                nxt[open[d]] = count;
            }
            if (b.length + 1 > open.length) {
                open = Arrays.copyOf(open, b.length + 1);
            }
            for (int d = common; d < b.length; d++) {
                lab[count] = b[d];
                dep[count] = d + 1;
                tok[count] = -1;
                open[d + 1] = count;
                count++;
            }
            tok[open[b.length]] = id;
            for (int d = 1; d < b.length; d++) {
                int node = open[d];
                if (tail[node] >= 0) {
                    int chars = plainChars(b, d);
                    tail[node] = chars < 0 ? -1 : Math.max(tail[node], chars);
                }
            }
            longest = Math.max(longest, b.length);
            prev = b;
        }
        for (int d = prev.length; d > 0; d--) {
            nxt[open[d]] = count;
        }
        label = Arrays.copyOf(lab, count);
        depth = Arrays.copyOf(dep, count);
        next = Arrays.copyOf(nxt, count);
        token = Arrays.copyOf(tok, count);
        maxDepth = longest;
        plainTail = Arrays.copyOf(tail, count);
        tokensFrom = new int[count + 1];
        int[] inOrder = new int[vocabSize];
        int k = 0;
        for (int i = 0; i < count; i++) {
            tokensFrom[i] = k;
            for (int t = token[i]; t >= 0; t = sameBytes[t]) {
                inOrder[k++] = t;
            }
        }
        tokensFrom[count] = k;
        subtreeTokens = Arrays.copyOf(inOrder, k);
        firstByteNode = new int[256];
        Arrays.fill(firstByteNode, -1);
        for (int i = 0; i < count; i = next[i]) {
            firstByteNode[label[i] & 0xFF] = i;
        }
    }

    /** The tokens of over {@link PlainTokenIndex#SHORT_CHARS} plain characters, whole or after the first byte (others empty). */
    private static byte[][] longPlainTokens(byte[][] bytesById) {
        byte[][] out = new byte[bytesById.length][];
        for (int id = 0; id < bytesById.length; id++) {
            byte[] b = bytesById[id];
            boolean longWhole = b.length > 0 && plainChars(b, 0) > PlainTokenIndex.SHORT_CHARS;
            boolean longTail = b.length > 1 && plainChars(b, 1) > PlainTokenIndex.SHORT_CHARS;
            out[id] = longWhole || longTail ? b : new byte[0];
        }
        return out;
    }

    /** Whether {@code state} can read any {@code chars} plain characters in a row. */
    private static boolean allowsPlain(LazyDfa dfa, int state, int chars) {
        int reach = dfa.plainReach(state, Math.min(chars, PlainTokenIndex.SHORT_CHARS));
        return reach == LazyDfa.LOOPS || reach >= chars || reach < 0 && dfa.readsAnyPlainText(state);
    }

    /** How many characters {@code bytes} hold from {@code from} on when they are plain (see StringBodyLoop), else -1. */
    private static int plainChars(byte[] bytes, int from) {
        if ((bytes[from] & 0xC0) == 0x80 || !StringBodyLoop.isPlain(Arrays.copyOfRange(bytes, from, bytes.length))) {
            return -1;
        }
        return PlainTokenIndex.charCount(bytes, from);
    }

    /** The trie of {@code tokenizer}'s vocabulary, built on first use. */
    public static TokenTrie of(Tokenizer tokenizer) {
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(tokenizer, t -> {
                byte[][] bytes = new byte[t.vocabSize()][];
                for (int id = 0; id < bytes.length; id++) {
                    bytes[id] = t.isSpecial(id) ? new byte[0] : t.tokenBytes(id);
                }
                int[] ends = java.util.stream.IntStream.range(0, bytes.length).filter(t::isEndOfGeneration).toArray();
                return new TokenTrie(bytes, ends);
            });
        }
    }

    static TokenTrie ofBytes(byte[][] bytesById, int[] endTokens) {
        return new TokenTrie(bytesById, endTokens);
    }

    int nodeCount() {
        return label.length;
    }

    /**
     * Sets in {@code mask} the bit of every token whose bytes {@code dfa} can read from {@code state}
     * (without reaching a dead state). Does not touch other bits.
     */
    void allowed(LazyDfa dfa, int state, long[] mask) {
        allowed(dfa, state, mask, 0, label.length);
    }

    /**
     * Like {@link #allowed(LazyDfa, int, long[])}, in two passes where that pays: for each first byte whose
     * successor state reads plain string characters uniformly (an opening quote, a key's first letter, a
     * length-bounded string) or {@linkplain LazyDfa#readsAnyPlainText reads any plain text}, the tokens that
     * continue with plain characters only are allowed by their length at once, and only the other tokens are
     * walked.
     */
    void allowedByFirstByte(LazyDfa dfa, int state, long[] mask, SubtreeMasks walked) {
        for (int i = 0; i < label.length; i = next[i]) {
            int b = label[i] & 0xFF;
            int s = dfa.next(state, b);
            if (s < 0) {
                continue;
            }
            int reach = plainAfterFirst[b] == null || next[i] - i <= BULK_MIN_NODES ? 0
                    : dfa.plainTokenReach(s, PlainTokenIndex.SHORT_CHARS);
            if (reach <= 0) {
                walked.allow(dfa, state, i, s, mask);
                continue;
            }
            if (reach == LazyDfa.LOOPS) {
                long[] plain = plainAfterFirst[b];
                for (int w = 0; w < mask.length; w++) {
                    mask[w] |= plain[w];
                }
            } else {
                plainIndex.allowTails(b, reach, mask);
                if (reach == PlainTokenIndex.SHORT_CHARS) { // maybe longer: walk the long tails
                    longPlain.allowedFrom(dfa, state, mask, b);
                }
            }
            notPlainAfterFirst.allowedFrom(dfa, state, mask, b);
        }
    }

    /** Walks the subtree of the tokens starting with byte {@code first}. */
    private void allowedFrom(LazyDfa dfa, int state, long[] mask, int first) {
        int node = firstByteNode[first];
        if (node >= 0) {
            allowed(dfa, state, mask, node, next[node]);
        }
    }

    /** Walks the subtrees of the depth-1 nodes in {@code from..to} (a whole subtree range). */
    void allowed(LazyDfa dfa, int state, long[] mask, int start, int end) {
        int[] stateAt = new int[maxDepth + 1]; // (depth): the DFA state after the node open at that depth
        stateAt[0] = state;
        int[] table = dfa.table();
        int n = end;
        int i = start;
        while (i < n) {
            int d = depth[i];
            int from = stateAt[d - 1];
            int b = label[i] & 0xFF;
            int idx = (from << 8) | b;
            int s = idx < table.length ? table[idx] : -2;
            if (LazyDfa.isUnknown(s)) {
                s = dfa.next(from, b);
                table = dfa.table();
            }
            if (s < 0) {
                i = next[i];
                continue;
            }
            stateAt[d] = s;
            for (int t = token[i]; t >= 0; t = sameBytes[t]) {
                mask[t >>> 6] |= 1L << t;
            }
            int below = plainTail[i];
            if (below > 0 && next[i] - i > BULK_MIN_NODES && allowsPlain(dfa, s, below)) { // e.g. a new property name: all allowed
                for (int k = tokensFrom[i], e = tokensFrom[next[i]]; k < e; k++) {
                    int t = subtreeTokens[k];
                    mask[t >>> 6] |= 1L << t;
                }
                i = next[i];
                continue;
            }
            i++;
        }
    }
}
