package dev.canopy.executor.tokenizer;

/** A piece of the input text after special tokens have been found: ordinary text or one special token. */
sealed interface Fragment {

    /** Text to tokenize normally (never empty). */
    record Text(String text) implements Fragment {}

    /** A special token found in the input. */
    record Special(int id) implements Fragment {}
}
