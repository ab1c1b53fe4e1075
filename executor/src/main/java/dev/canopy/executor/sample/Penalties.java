package dev.canopy.executor.sample;

import java.util.Arrays;

/**
 * Applies the penalties of {@link SamplingParams} to logits, with vLLM's semantics: the repetition penalty
 * covers every token of prompt and output (positive logits divided, negative ones multiplied); then the
 * frequency penalty ({@code count} times) and the presence penalty (once) cover generated tokens only.
 * Works in O(history) per call, whatever the vocabulary size.
 */
final class Penalties {

    private int[] counts = new int[0]; // (vocab) occurrences among generated tokens; all zero between calls
    private int[] seenStamp = new int[0]; // (vocab) equals stamp when the token was seen in this call
    private int stamp;

    /** Penalizes {@code logits[0, vocab)} in place. */
    void apply(float[] logits, int vocab, SamplingParams params, TokenHistory history) {
        if (counts.length < vocab) {
            counts = new int[vocab];
            seenStamp = new int[vocab];
            stamp = 0;
        }
        checkTokens(history, vocab); // before any counting, so that a bad id leaves the counts all zero
        if (params.repetitionPenalty() != 1) {
            applyRepetition(logits, vocab, params.repetitionPenalty(), history);
        }
        if (params.frequencyPenalty() != 0 || params.presencePenalty() != 0) {
            int n = history.numGeneratedTokens();
            for (int i = 0; i < n; i++) {
                counts[history.generatedTokenAt(i)]++;
            }
            for (int i = 0; i < n; i++) {
                int token = history.generatedTokenAt(i);
                if (counts[token] > 0) { // first occurrence: penalize once, then reset for the next call
                    logits[token] -= (float) (params.frequencyPenalty() * counts[token] + params.presencePenalty());
                    counts[token] = 0;
                }
            }
        }
    }

    private void applyRepetition(float[] logits, int vocab, double penalty, TokenHistory history) {
        if (++stamp == Integer.MAX_VALUE) {
            Arrays.fill(seenStamp, 0);
            stamp = 1;
        }
        int numPrompt = history.numPromptTokens();
        int total = numPrompt + history.numGeneratedTokens();
        for (int i = 0; i < total; i++) {
            int token = i < numPrompt ? history.promptTokenAt(i) : history.generatedTokenAt(i - numPrompt);
            if (seenStamp[token] != stamp) {
                seenStamp[token] = stamp;
                float x = logits[token];
                logits[token] = (float) (x > 0 ? x / penalty : x * penalty);
            }
        }
    }

    private static void checkTokens(TokenHistory history, int vocab) {
        for (int i = 0; i < history.numPromptTokens(); i++) {
            check(history.promptTokenAt(i), vocab, "prompt", i);
        }
        for (int i = 0; i < history.numGeneratedTokens(); i++) {
            check(history.generatedTokenAt(i), vocab, "generated", i);
        }
    }

    private static void check(int token, int vocab, String where, int index) {
        if (token < 0 || token >= vocab) {
            throw new IllegalArgumentException("Cannot apply penalties: " + where + " token " + index + " has id "
                    + token + ", outside the vocabulary [0, " + vocab + ")");
        }
    }
}
