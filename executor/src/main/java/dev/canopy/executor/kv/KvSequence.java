package dev.canopy.executor.kv;

/**
 * What the {@link BlockManager} reads from a sequence: its tokens (prompt followed by generated tokens),
 * how many leading positions already have their KV written, and the block table it keeps for it.
 * The block manager only ever changes the block table.
 */
public interface KvSequence {

    /** Number of tokens, prompt and generated together. */
    int numTokens();

    /** Token id at {@code position}, in {@code [0, numTokens())}. */
    int tokenAt(int position);

    /** Leading positions whose KV has been written by a forward pass (and not discarded since). */
    int numComputedTokens();

    /** The sequence's block table: logical block {@code i} covers positions {@code [i*blockSize, (i+1)*blockSize)}. */
    BlockTable blockTable();
}
