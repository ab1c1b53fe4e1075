package dev.canopy.executor.tokenizer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * The symbols of a rank-ordered BPE merge list: a symbol is a token id when its text is a token,
 * else an extra id past the vocabulary (a merge result, or a character, that is not a token). Used
 * by both byte-level BPE tokenizers (GGUF {@code gpt2} and {@code tokenizer.json} BPE) to turn
 * merge rules into a {@link BpeMergeTable}.
 */
final class BpeSymbols {

    private final int vocabSize;
    private final ToIntFunction<String> tokenId; // text → token id, or -1
    private final Map<String, Integer> extraIds = new HashMap<>();
    private final List<String> extraTexts = new ArrayList<>(); // texts of ids vocabSize..
    private final BpeMergeTable merges;

    /**
     * @param tokenId a token's id by text, -1 when the text is not a token
     * @param expectedMerges number of merge rules that will be added
     */
    BpeSymbols(int vocabSize, ToIntFunction<String> tokenId, int expectedMerges) {
        this.vocabSize = vocabSize;
        this.tokenId = tokenId;
        this.merges = new BpeMergeTable(expectedMerges);
    }

    /** Adds the rule "{@code left} + {@code right} merge at {@code rank}" unless the pair already has a rule. */
    void addMerge(String left, String right, int rank) {
        merges.putIfAbsent(symbolId(left), symbolId(right), new SymbolMerger.Merge(symbolId(left + right), rank));
    }

    /** The symbol of {@code text}: its token id, else an extra id past the vocabulary. */
    int symbolId(String text) {
        int id = tokenId.applyAsInt(text);
        if (id >= 0) {
            return id;
        }
        return extraIds.computeIfAbsent(text, t -> {
            extraTexts.add(t);
            return vocabSize + extraTexts.size() - 1;
        });
    }

    /** Whether {@code symbol} is a token id (not an extra symbol). */
    boolean isToken(int symbol) {
        return symbol < vocabSize;
    }

    /** The text of an extra symbol. */
    String extraText(int symbol) {
        return extraTexts.get(symbol - vocabSize);
    }

    /** The merge rules added so far. */
    BpeMergeTable merges() {
        return merges;
    }
}
