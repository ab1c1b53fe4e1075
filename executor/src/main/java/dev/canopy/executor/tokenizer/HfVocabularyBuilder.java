package dev.canopy.executor.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Collects the token table of a {@code tokenizer.json}: the model's vocabulary, then the added
 * tokens (control when {@code special}, else user-defined), which may extend it. Ids that neither
 * names are unused slots; {@code <0xNN>} tokens are byte tokens when the model falls back to bytes.
 */
final class HfVocabularyBuilder {

    private final List<String> texts; // (size) null for an id nothing names
    private final List<TokenType> types; // (size)

    HfVocabularyBuilder(List<String> modelTexts, boolean byteFallback) {
        this.texts = new ArrayList<>(modelTexts);
        this.types = new ArrayList<>(modelTexts.size());
        for (String text : modelTexts) {
            types.add(text == null ? TokenType.UNUSED
                    : byteFallback && HfDecoder.isByteToken(text) ? TokenType.BYTE : TokenType.NORMAL);
        }
    }

    /** Sets token {@code id}, growing the table when the id is past its end. */
    void put(int id, String text, TokenType type) {
        while (texts.size() <= id) {
            texts.add(null);
            types.add(TokenType.UNUSED);
        }
        texts.set(id, text);
        types.set(id, type);
    }

    /** Marks the model's unk_token as the unknown token, unless it is an added token (which keeps its type). */
    void markUnknown(int id) {
        if (types.get(id) == TokenType.NORMAL) {
            types.set(id, TokenType.UNKNOWN);
        }
    }

    int size() {
        return texts.size();
    }

    /** The vocabulary; unused slots have empty text. */
    Vocabulary build(SpecialTokenIds specialIds, boolean addBosByDefault) {
        String[] textArray = texts.stream().map(t -> t == null ? "" : t).toArray(String[]::new);
        return new Vocabulary(textArray, types.toArray(TokenType[]::new), new float[textArray.length], specialIds,
                addBosByDefault);
    }
}
