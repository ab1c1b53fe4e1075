package dev.canopy.executor.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SentencePiece (BPE-with-scores) tokenizer, {@code tokenizer.ggml.model = llama}, encoding as
 * llama2.c's {@code run.c} and llama.cpp do: spaces become {@code ▁}, a dummy-prefix {@code ▁} starts
 * the text (and, as in llama.cpp, the text after each special token), each code point becomes its
 * piece or falls back to {@code <0xNN>} byte tokens, then the adjacent pair whose concatenation is
 * the highest-scoring piece merges first (ties: leftmost) until nothing merges.
 */
public final class SentencePieceTokenizer implements Tokenizer {

    private static final Pattern BYTE_TOKEN = Pattern.compile("<0x([0-9A-Fa-f]{2})>");
    private static final int NONE = -1;

    private final Vocabulary vocabulary;
    private final boolean addSpacePrefix;
    private final Map<String, Integer> textPieceIds; // normal and user-defined pieces by text, first id wins
    private final SymbolMerger.Merge[] mergeInto; // (vocabSize) the merge that yields each id: cost = -score
    private final int[] byteTokenIds; // (256) id of <0xNN> for byte NN, or NONE
    private final int maxPieceLength; // chars of the longest text piece
    private final SpecialTokenSplitter specialTokens;
    private final TokenBytes tokenBytes;

    /**
     * @param addSpacePrefix prepend the dummy-prefix space ({@code tokenizer.ggml.add_space_prefix})
     * @throws IllegalArgumentException when a byte token's text is not of the form {@code <0xNN>}
     */
    public SentencePieceTokenizer(Vocabulary vocabulary, boolean addSpacePrefix) {
        this.vocabulary = vocabulary;
        this.addSpacePrefix = addSpacePrefix;
        int n = vocabulary.size();
        Map<String, Integer> pieces = new HashMap<>();
        SymbolMerger.Merge[] merges = new SymbolMerger.Merge[n];
        int[] bytes = new int[256];
        Arrays.fill(bytes, NONE);
        byte[][] rendered = new byte[n][];
        int longest = 0;
        for (int id = 0; id < n; id++) {
            String text = vocabulary.text(id);
            TokenType type = vocabulary.type(id);
            merges[id] = new SymbolMerger.Merge(id, -(double) vocabulary.score(id));
            if (type.isText()) {
                pieces.putIfAbsent(text, id);
                longest = Math.max(longest, text.length());
            }
            if (type == TokenType.BYTE && bytes[byteValue(id, text)] == NONE) {
                bytes[byteValue(id, text)] = id;
            }
            rendered[id] = render(id, text, type);
        }
        this.textPieceIds = pieces;
        this.mergeInto = merges;
        this.byteTokenIds = bytes;
        this.maxPieceLength = longest;
        this.specialTokens = new SpecialTokenSplitter(vocabulary);
        this.tokenBytes = new TokenBytes(rendered);
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        return specialTokens.encode(text, addBos ? OptionalInt.of(bosId()) : OptionalInt.empty(), parseSpecial,
                // llama.cpp prefixes a space to text at the start and after each special token
                (piece, followsSpecial) -> encodeText(addSpacePrefix && followsSpecial ? " " + piece : piece));
    }

    @Override
    public byte[] tokenBytes(int id) {
        return tokenBytes.of(id);
    }

    @Override
    public String decode(int[] tokens) {
        String text = tokenBytes.decode(tokens);
        return addSpacePrefix && text.startsWith(" ") ? text.substring(1) : text;
    }

    @Override
    public TokenDecoder newDecoder() {
        return tokenBytes.newDecoder();
    }

    @Override
    public Vocabulary vocabulary() {
        return vocabulary;
    }

    /** Whether a dummy-prefix space starts the encoded text. */
    public boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    /** Tokenizes plain text (no special tokens) by code points, byte fallback and score-ordered merges. */
    private int[] encodeText(String text) {
        String escaped = text.replace(' ', '▁');
        TokenList symbols = new TokenList();
        escaped.codePoints().forEach(cp -> {
            Integer piece = textPieceIds.get(Character.toString(cp));
            if (piece != null) {
                symbols.add(piece);
            } else {
                for (byte b : Character.toString(cp).getBytes(StandardCharsets.UTF_8)) {
                    symbols.add(byteFallback(b & 0xFF, cp));
                }
            }
        });
        return SymbolMerger.merge(symbols.toArray(), this::findMerge);
    }

    private int byteFallback(int b, int codePoint) {
        if (byteTokenIds[b] != NONE) {
            return byteTokenIds[b];
        }
        return vocabulary.unknownId().orElseThrow(() -> new IllegalArgumentException("Cannot encode U+"
                + Integer.toHexString(codePoint).toUpperCase() + ": the vocabulary has neither a piece, a byte token <0x"
                + String.format("%02X", b) + "> nor an unknown token"));
    }

    /** Two text pieces merge when their concatenation is a text piece; byte and unknown tokens never merge. */
    private Optional<SymbolMerger.Merge> findMerge(int left, int right) {
        if (!vocabulary.type(left).isText() || !vocabulary.type(right).isText()) {
            return Optional.empty();
        }
        String a = vocabulary.text(left);
        String b = vocabulary.text(right);
        if (a.length() + b.length() > maxPieceLength) {
            return Optional.empty();
        }
        Integer merged = textPieceIds.get(a + b);
        return merged == null ? Optional.empty() : Optional.of(mergeInto[merged]);
    }

    private static int byteValue(int id, String text) {
        Matcher m = BYTE_TOKEN.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("Cannot build a SentencePiece tokenizer: byte token " + id + " is '" + text
                    + "', expected <0xNN>");
        }
        return Integer.parseInt(m.group(1), 16);
    }

    /** The bytes a token decodes to: ▁ as space, byte tokens as their byte, control and unused as nothing. */
    private static byte[] render(int id, String text, TokenType type) {
        return switch (type) {
            case NORMAL, UNDEFINED, USER_DEFINED -> text.replace('▁', ' ').getBytes(StandardCharsets.UTF_8);
            case BYTE -> new byte[] {(byte) byteValue(id, text)};
            case UNKNOWN -> "\uFFFD".getBytes(StandardCharsets.UTF_8);
            case CONTROL, UNUSED -> new byte[0];
        };
    }
}
