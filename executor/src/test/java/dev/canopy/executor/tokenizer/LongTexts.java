package dev.canopy.executor.tokenizer;

/**
 * Long inputs that once made the tokenizers quadratic: the tests check they round-trip, {@link TokenizerBenchmark}
 * times them.
 */
final class LongTexts {

    private LongTexts() {
    }

    /** About 100 KB of story text with CJK and an emoji on every line (a naive SentencePiece loop takes minutes). */
    static String stories() {
        return "Once upon a time, there was a little girl named Lily. She loved to play outside. 日本 😀\n".repeat(1_100);
    }

    /** Long runs of one character class each, the worst case of the byte-level BPE pre-tokenizer and merges. */
    static String runsOfPunctuationDigitsLettersAndSpaces() {
        return "!?".repeat(50_000) + " the cat " + "1234567890".repeat(5_000) + "at".repeat(25_000)
                + " ".repeat(20_000) + "\n".repeat(20_000) + "x";
    }
}
