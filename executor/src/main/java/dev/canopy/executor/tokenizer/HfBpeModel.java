package dev.canopy.executor.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The {@code BPE} model of a {@code tokenizer.json}: each word starts as its characters (code
 * points), the adjacent pair with the lowest merge rank merges first (ties: leftmost) until none
 * merges. A piece left that is not a token becomes its {@code <0xNN>} byte tokens when
 * {@code byte_fallback} is on and they all exist, else the unknown token. With
 * {@code ignore_merges}, a word that is itself a token is that token.
 */
final class HfBpeModel {

    private static final int ABSENT = -1;

    /** The model's options, as {@code model.*} fields of {@code tokenizer.json} hold them. */
    record Options(boolean byteFallback, boolean ignoreMerges, boolean fuseUnknown, OptionalInt unknownId) {}

    private final Map<String, Integer> ids; // token text → id (model vocabulary and added tokens)
    private final BpeSymbols symbols;
    private final Options options;
    private final int[] byteTokens; // (256) id of <0xNN>, or ABSENT
    private final WordCache wordCache = new WordCache();

    /**
     * @param merges rank-ordered merge rules, each a (left, right) pair
     */
    HfBpeModel(Map<String, Integer> ids, int vocabSize, List<String[]> merges, Options options) {
        this.ids = ids;
        this.options = options;
        this.symbols = new BpeSymbols(vocabSize, text -> ids.getOrDefault(text, ABSENT), merges.size());
        for (int rank = 0; rank < merges.size(); rank++) {
            symbols.addMerge(merges.get(rank)[0], merges.get(rank)[1], rank);
        }
        this.byteTokens = new int[256];
        Arrays.fill(byteTokens, ABSENT);
        for (int b = 0; b < 256; b++) {
            byteTokens[b] = ids.getOrDefault(String.format("<0x%02X>", b), ABSENT);
        }
    }

    /** The tokens of {@code words}, in order. */
    void encode(List<String> words, TokenList out) {
        for (String word : words) {
            if (!word.isEmpty()) {
                out.addAll(encodeWord(word));
            }
        }
    }

    private int[] encodeWord(String word) {
        if (options.ignoreMerges()) {
            Integer whole = ids.get(word);
            if (whole != null) {
                return new int[] {whole};
            }
        }
        return wordCache.tokens(word, this::mergeWord);
    }

    private int[] mergeWord(String word) {
        int[] chars = word.codePoints().map(cp -> symbols.symbolId(Character.toString(cp))).toArray(); // (code points)
        TokenList out = new TokenList();
        boolean lastWasUnknown = false;
        for (int symbol : SymbolMerger.merge(chars, symbols.merges()::find)) {
            if (symbols.isToken(symbol)) {
                out.add(symbol);
                lastWasUnknown = false;
            } else if (!fallBackToBytes(symbols.extraText(symbol), out)) {
                if (!(options.fuseUnknown() && lastWasUnknown)) {
                    out.add(unknown(symbols.extraText(symbol)));
                }
                lastWasUnknown = true;
            }
        }
        return out.toArray();
    }

    /** Adds the byte tokens of {@code text} when byte fallback is on and all of them exist. */
    private boolean fallBackToBytes(String text, TokenList out) {
        if (!options.byteFallback()) {
            return false;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (byteTokens[b & 0xFF] == ABSENT) {
                return false;
            }
        }
        for (byte b : bytes) {
            out.add(byteTokens[b & 0xFF]);
        }
        return true;
    }

    private int unknown(String text) {
        return options.unknownId().orElseThrow(() -> new IllegalArgumentException("Cannot encode '" + text
                + "': it is not in the vocabulary, and the tokenizer has no unk_token"
                + (options.byteFallback() ? " and lacks some of its <0xNN> byte tokens" : " and no byte_fallback")));
    }
}
