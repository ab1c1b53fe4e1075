package dev.canopy.executor.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A byte-level BPE tokenizer, {@code tokenizer.ggml.model = gpt2} (GPT-2, Llama 3, Qwen2): the text
 * is split into words by a {@link BpePreTokenizer}, each word's UTF-8 bytes are written with GPT-2's
 * byte alphabet, and the pair with the lowest merge rank merges first (ties: leftmost) until no
 * merge applies.
 *
 * <p>Symbols are token ids; a merge whose text is not a token gets an extra symbol id past the
 * vocabulary, and such a symbol left at the end is written as its single-byte tokens.
 */
public final class Gpt2BpeTokenizer implements Tokenizer {

    private static final int NO_TOKEN = -1;

    private final Vocabulary vocabulary;
    private final BpePreTokenizer preTokenizer;
    private final boolean ignoreMerges;
    private final Map<String, Integer> tokenIds; // every token by text, first id wins
    private final int[] byteTokens; // (256) token of each byte's stand-in character
    private final BpeSymbols symbols; // merge rules; extra ids for merge results that are not tokens
    private final SpecialTokenSplitter specialTokens;
    private final TokenBytes tokenBytes;
    private final WordCache wordCache = new WordCache(); // byte-level word → tokens

    /**
     * @param mergeRules {@code tokenizer.ggml.merges}: "left right" per rule, rank = index
     * @param preTokenizer the word split ({@code tokenizer.ggml.pre})
     * @param ignoreMerges emit a word that is itself a token without merging (Llama 3 does this)
     * @throws IllegalArgumentException when a merge rule is not two symbols separated by a space
     */
    public Gpt2BpeTokenizer(Vocabulary vocabulary, String[] mergeRules, BpePreTokenizer preTokenizer,
            boolean ignoreMerges) {
        this.vocabulary = vocabulary;
        this.preTokenizer = preTokenizer;
        this.ignoreMerges = ignoreMerges;
        int n = vocabulary.size();
        Map<String, Integer> ids = new HashMap<>();
        byte[][] rendered = new byte[n][];
        for (int id = 0; id < n; id++) {
            ids.putIfAbsent(vocabulary.text(id), id);
            rendered[id] = render(vocabulary.text(id), vocabulary.type(id));
        }
        this.tokenIds = ids;
        this.byteTokens = new int[256];
        for (int b = 0; b < 256; b++) {
            String ch = String.valueOf(ByteLevelAlphabet.charOf(b));
            byteTokens[b] = ids.getOrDefault(ch, NO_TOKEN); // a vocabulary may lack bytes it never needs
        }
        this.symbols = buildMerges(mergeRules);
        this.specialTokens = new SpecialTokenSplitter(vocabulary);
        this.tokenBytes = new TokenBytes(rendered);
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        return specialTokens.encode(text, addBos ? OptionalInt.of(bosId()) : OptionalInt.empty(), parseSpecial,
                (piece, followsSpecial) -> encodeText(piece));
    }

    @Override
    public byte[] tokenBytes(int id) {
        return tokenBytes.of(id);
    }

    @Override
    public String decode(int[] tokens) {
        return tokenBytes.decode(tokens);
    }

    @Override
    public TokenDecoder newDecoder() {
        return tokenBytes.newDecoder();
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** Tokenizes plain text (no special tokens) word by word. */
    private int[] encodeText(String text) {
        TokenList out = new TokenList();
        for (String word : preTokenizer.split(text)) {
            out.addAll(encodeWord(ByteLevelAlphabet.encode(word)));
        }
        return out.toArray();
    }

    /** The tokens of one word, already written in the byte alphabet. */
    private int[] encodeWord(String word) {
        if (ignoreMerges) {
            Integer whole = tokenIds.get(word);
            if (whole != null) {
                return new int[] {whole};
            }
        }
        return wordCache.tokens(word, this::mergeWord);
    }

    private int[] mergeWord(String word) {
        int[] chars = new int[word.length()]; // (bytes of the word) one byte token each
        for (int i = 0; i < chars.length; i++) {
            chars[i] = symbols.symbolId(String.valueOf(word.charAt(i)));
        }
        TokenList out = new TokenList();
        for (int symbol : SymbolMerger.merge(chars, this.symbols.merges()::find)) {
            if (this.symbols.isToken(symbol)) {
                out.add(symbol);
            } else {
                for (byte b : ByteLevelAlphabet.decode(this.symbols.extraText(symbol))) {
                    out.add(byteToken(b & 0xFF));
                }
            }
        }
        return out.toArray();
    }

    /** The token of a single byte: its own token, else the unknown token; an error when neither exists. */
    private int byteToken(int b) {
        if (byteTokens[b] != NO_TOKEN) {
            return byteTokens[b];
        }
        return vocabulary.unknownId().orElseThrow(() -> new IllegalArgumentException(String.format("Cannot encode byte"
                + " 0x%02X: the vocabulary has no token for it (character '%s') and no unknown token", b,
                ByteLevelAlphabet.charOf(b))));
    }

    private BpeSymbols buildMerges(String[] mergeRules) {
        BpeSymbols table = new BpeSymbols(vocabulary.size(), text -> tokenIds.getOrDefault(text, -1), mergeRules.length);
        for (int rank = 0; rank < mergeRules.length; rank++) {
            String rule = mergeRules[rank];
            int space = rule.indexOf(' ', 1);
            if (space < 0 || space == rule.length() - 1) {
                throw new IllegalArgumentException("Cannot build a byte-level BPE tokenizer: merge " + rank + " is '"
                        + rule + "', expected two symbols separated by a space");
            }
            table.addMerge(rule.substring(0, space), rule.substring(space + 1), rank);
        }
        return table;
    }

    /** The bytes a token decodes to: byte-alphabet text as bytes, user-defined text as is, control as nothing. */
    private static byte[] render(String text, TokenType type) {
        return switch (type) {
            case NORMAL, UNDEFINED, BYTE -> ByteLevelAlphabet.decode(text);
            case USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case UNKNOWN -> "\uFFFD".getBytes(StandardCharsets.UTF_8);
            case CONTROL, UNUSED -> new byte[0];
        };
    }
}
