package dev.canopy.executor.tokenizer;

import java.util.Arrays;
import java.util.OptionalInt;

/**
 * The token table shared by all tokenizers: each id's stored text, type and score, the special
 * token ids and whether a beginning-of-sequence token is added by default. Immutable.
 */
public final class Vocabulary {

    private final String[] texts; // (vocabSize) token text as stored, e.g. "▁Once", "<0x0A>", "Ġthe"
    private final TokenType[] types; // (vocabSize)
    private final float[] scores; // (vocabSize) SentencePiece merge scores; zeros when the file has none
    private final SpecialTokenIds specialIds;
    private final boolean addBosByDefault;
    private final int[] endOfGenerationIds; // (≤ 3) distinct eos, eot, eom ids

    /**
     * @throws IllegalArgumentException when the arrays are empty or differ in length, or a special id
     *     is outside the vocabulary
     */
    public Vocabulary(String[] texts, TokenType[] types, float[] scores, SpecialTokenIds specialIds,
            boolean addBosByDefault) {
        if (texts.length == 0) {
            throw new IllegalArgumentException("Cannot build a vocabulary: it has no tokens");
        }
        if (types.length != texts.length || scores.length != texts.length) {
            throw new IllegalArgumentException("Cannot build a vocabulary: " + texts.length + " tokens but "
                    + types.length + " types and " + scores.length + " scores");
        }
        specialIds.checkWithin(texts.length);
        this.texts = texts.clone();
        this.types = types.clone();
        this.scores = scores.clone();
        this.specialIds = specialIds;
        this.addBosByDefault = addBosByDefault;
        this.endOfGenerationIds = specialIds.endOfGeneration();
    }

    /** Number of tokens. */
    public int size() {
        return texts.length;
    }

    /** The stored text of token {@code id} (SentencePiece spaces as ▁, GPT-2 bytes as their stand-in characters). */
    public String text(int id) {
        return texts[checkId(id)];
    }

    public TokenType type(int id) {
        return types[checkId(id)];
    }

    public float score(int id) {
        return scores[checkId(id)];
    }

    public SpecialTokenIds specialIds() {
        return specialIds;
    }

    public boolean addBosByDefault() {
        return addBosByDefault;
    }

    /** Whether {@code id} is the end-of-sequence, end-of-turn or end-of-message token. */
    public boolean isEndOfGeneration(int id) {
        for (int eog : endOfGenerationIds) {
            if (eog == id) {
                return true;
            }
        }
        return false;
    }

    /** The end-of-sequence, end-of-turn and end-of-message ids that are present, without repeats. */
    public int[] endOfGenerationIds() {
        return endOfGenerationIds.clone();
    }

    /** Checks that {@code id} is a token id of this vocabulary and returns it. */
    int checkId(int id) {
        if (id < 0 || id >= texts.length) {
            throw new IllegalArgumentException("Cannot look up token " + id + ": ids are 0.." + (texts.length - 1));
        }
        return id;
    }

    @Override
    public String toString() {
        return "Vocabulary[size=" + texts.length + ", " + specialIds + ", addBos=" + addBosByDefault + ", first="
                + Arrays.toString(Arrays.copyOf(texts, Math.min(3, texts.length))) + "]";
    }

    /** The unknown token id, if the vocabulary has one. */
    OptionalInt unknownId() {
        return specialIds.unknown();
    }
}
