package dev.canopy.executor.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;

/**
 * A SentencePiece-style ("llama") vocabulary of any size from 259 tokens up, laid out like a real
 * llama vocabulary: {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens
 * {@code <0x00>}..{@code <0xFF>}, then distinct pieces (spaces spelled {@code ▁}): common words,
 * single characters, and lowercase strings of growing length, each with and without a leading
 * {@code ▁}, until the vocabulary is full. Every prefix of a piece is a piece, so greedy merging
 * can build each one. Pieces score 0, −1, −2, … in order; special and byte tokens score 0.
 *
 * @param tokens token strings, by id
 * @param scores merge scores, by id
 * @param types SentencePiece token types, by id: 2 unknown, 3 control, 6 byte, 1 normal
 */
public record SyntheticVocabulary(String[] tokens, float[] scores, int[] types) {

    /** Tokens before the first piece: 3 special tokens and 256 byte tokens. */
    public static final int FIRST_PIECE = 3 + 256;
    public static final int UNKNOWN = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;

    public static final int TYPE_NORMAL = 1;
    public static final int TYPE_UNKNOWN = 2;
    public static final int TYPE_CONTROL = 3;
    public static final int TYPE_BYTE = 6;

    private static final String SPACE = "\u2581";
    private static final List<String> WORDS = List.of("the", "a", "and", "to", "was", "he", "she", "it", "of", "in",
            "they", "said", "on", "with", "his", "her", "you", "that", "day", "for", "had", "little", "big", "girl",
            "boy", "once", "upon", "time", "there", "is", "were", "happy", "play", "saw", "went", "mom", "dog", "cat",
            "park", "friend", "not", "but", "all", "so", "very", "one", "be", "at", "we", "did");
    private static final String SINGLE_CHARACTERS =
            "etaoinshrdlcumwfgypbvkjxqzETAOINSHRDLCUMWFGYPBVKJXQZ0123456789.,!?'\"-:;()";

    /** Builds a vocabulary of exactly {@code size} tokens. */
    public static SyntheticVocabulary of(int size) {
        if (size < FIRST_PIECE) {
            throw new IllegalArgumentException("Cannot build a vocabulary of " + size + " tokens: it needs at least "
                    + FIRST_PIECE + " (3 special tokens and 256 byte tokens)");
        }
        String[] tokens = new String[size];
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens[UNKNOWN] = "<unk>";
        types[UNKNOWN] = TYPE_UNKNOWN;
        tokens[BOS] = "<s>";
        types[BOS] = TYPE_CONTROL;
        tokens[EOS] = "</s>";
        types[EOS] = TYPE_CONTROL;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = TYPE_BYTE;
        }
        int id = FIRST_PIECE;
        for (String piece : pieces(size - FIRST_PIECE)) {
            tokens[id] = piece;
            scores[id] = -(id - FIRST_PIECE);
            types[id] = TYPE_NORMAL;
            id++;
        }
        return new SyntheticVocabulary(tokens, scores, types);
    }

    public int size() {
        return tokens.length;
    }

    /** The first {@code count} distinct pieces. */
    private static SequencedSet<String> pieces(int count) {
        SequencedSet<String> pieces = new LinkedHashSet<>();
        add(pieces, count, SPACE);
        for (int i = 0; i < SINGLE_CHARACTERS.length(); i++) {
            add(pieces, count, SINGLE_CHARACTERS.substring(i, i + 1));
        }
        for (String word : WORDS) {
            // Every prefix too (with its ▁), so that merging can reach the word.
            for (int end = 1; end <= word.length(); end++) {
                add(pieces, count, SPACE + word.substring(0, end));
            }
        }
        for (int length = 1; pieces.size() < count; length++) {
            int combinations = (int) Math.pow(26, length);
            for (int n = 0; n < combinations && pieces.size() < count; n++) {
                String s = lowercase(n, length);
                add(pieces, count, SPACE + s);
                add(pieces, count, s);
            }
        }
        return pieces;
    }

    private static void add(SequencedSet<String> pieces, int count, String piece) {
        if (pieces.size() < count) {
            pieces.add(piece);
        }
    }

    /** The {@code n}-th string of {@code length} lowercase letters, in alphabetical order. */
    private static String lowercase(int n, int length) {
        char[] c = new char[length];
        for (int i = length - 1; i >= 0; i--) {
            c[i] = (char) ('a' + n % 26);
            n /= 26;
        }
        return new String(c);
    }
}
