package dev.canopy.executor.tokenizer;

import java.util.OptionalInt;

/**
 * Turns text into token ids and back for one model's vocabulary. Implementations are immutable and
 * safe to share between threads. Create one with {@link TokenizerLoader#load}.
 */
public interface Tokenizer {

    /**
     * Tokenizes {@code text}.
     *
     * @param addBos prepend the beginning-of-sequence token
     * @param parseSpecial treat control-token texts in {@code text} (such as {@code <s>} or
     *     {@code <|eot_id|>}) as those tokens; when false they are ordinary text. User-defined tokens
     *     are matched either way, as llama.cpp and Hugging Face tokenizers do.
     */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /**
     * The text of a whole token sequence: control tokens render as nothing and invalid UTF-8 as
     * U+FFFD. A SentencePiece tokenizer that adds a dummy-prefix space drops one space at the start of
     * the text, so {@code decode(encode(s, b, false)).equals(s)}, with one exception: SentencePiece
     * writes spaces as U+2581 ({@code ▁}), so a U+2581 in the text is tokenized as a space and comes
     * back as one (as in llama.cpp and sentencepiece).
     */
    String decode(int[] tokens);

    /**
     * The raw bytes {@code id} stands for when decoded (empty for control tokens), as the UTF-8 text
     * it contributes; constrained decoding matches these against a grammar. The array is shared: do
     * not modify it.
     */
    byte[] tokenBytes(int id);

    /** A fresh streaming decoder for a completion; it keeps every space, including a leading one. */
    TokenDecoder newDecoder();

    /** The token table. */
    Vocabulary vocabulary();

    /** Number of tokens in the vocabulary. */
    default int vocabSize() {
        return vocabulary().size();
    }

    /** The beginning-of-sequence token id. */
    default int bosId() {
        return vocabulary().specialIds().bos();
    }

    /** The end-of-sequence token id, if the model has one. */
    default OptionalInt eosId() {
        return vocabulary().specialIds().eos();
    }

    /** Whether generating {@code id} ends a completion (end of sequence, turn or message). */
    default boolean isEndOfGeneration(int id) {
        return vocabulary().isEndOfGeneration(id);
    }

    /** The token's text exactly as stored in the vocabulary (e.g. {@code "▁Once"}, {@code "<0x0A>"}). */
    default String piece(int id) {
        return vocabulary().text(id);
    }

    /** Whether the model expects a beginning-of-sequence token before a prompt. */
    default boolean addBosByDefault() {
        return vocabulary().addBosByDefault();
    }

    /** Whether {@code id} is a control or user-defined token. */
    default boolean isSpecial(int id) {
        return vocabulary().type(id).isSpecial();
    }
}
