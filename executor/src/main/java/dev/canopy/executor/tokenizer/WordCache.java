package dev.canopy.executor.tokenizer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The tokens of words a BPE tokenizer has already merged, shared by its threads. Bounded: when it holds
 * {@link #LIMIT} words it starts over, so a text of endless distinct words cannot grow it without limit.
 */
final class WordCache {

    static final int LIMIT = 50_000;

    private final Map<String, int[]> tokensByWord = new ConcurrentHashMap<>();

    /** The cached tokens of {@code word}, else {@code merge}'s, which are then cached. */
    int[] tokens(String word, Function<String, int[]> merge) {
        int[] cached = tokensByWord.get(word);
        if (cached != null) {
            return cached;
        }
        int[] tokens = merge.apply(word);
        if (tokensByWord.size() >= LIMIT) {
            tokensByWord.clear();
        }
        tokensByWord.put(word, tokens);
        return tokens;
    }
}
