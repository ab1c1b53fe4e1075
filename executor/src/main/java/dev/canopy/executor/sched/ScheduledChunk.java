package dev.canopy.executor.sched;

import java.util.Objects;

/**
 * Part of a step for one sequence: feed tokens at positions {@code [startPos, startPos + numTokens)} through the
 * model, writing their KV into the sequence's block table.
 *
 * @param seq         the sequence
 * @param startPos    first position (equals the sequence's computed token count when scheduled)
 * @param numTokens   positions in the chunk, at least 1 (1 for a decode)
 * @param needsLogits whether the chunk ends at the sequence's last token, so that the logits of its last
 *                    position are needed to sample the next token
 */
public record ScheduledChunk(Sequence seq, int startPos, int numTokens, boolean needsLogits) {

    public ScheduledChunk {
        Objects.requireNonNull(seq, "seq");
        if (startPos < 0 || numTokens < 1) {
            throw new IllegalArgumentException("Cannot make a chunk: startPos must be >= 0 and numTokens >= 1, got "
                    + startPos + " and " + numTokens);
        }
    }

    /** Position after the chunk's last token. */
    public int endPos() {
        return startPos + numTokens;
    }

    /** The chunk's token ids (a copy). */
    public int[] tokenIds() {
        int[] ids = new int[numTokens]; // (numTokens)
        for (int i = 0; i < numTokens; i++) {
            ids[i] = seq.tokenAt(startPos + i);
        }
        return ids;
    }
}
