package dev.canopy.executor.tokenizer;

/**
 * Turns the tokens of one completion into text as they are generated. Not thread-safe: one per
 * sequence.
 */
public interface TokenDecoder {

    /**
     * Adds one token and returns the text that is now complete. Bytes of a UTF-8 character that is
     * split over several byte tokens are held back until the character is complete, so the result
     * never ends in half a character.
     *
     * @throws IllegalArgumentException when {@code token} is not in the vocabulary
     */
    String append(int token);

    /** Returns the text still held back, with an incomplete character as U+FFFD, and resets the decoder. */
    String finish();
}
