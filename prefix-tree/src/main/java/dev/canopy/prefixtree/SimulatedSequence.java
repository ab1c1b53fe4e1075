package dev.canopy.prefixtree;

import java.util.Arrays;

/**
 * One request in a simulated run, as the executor's {@code Sequence} is in a real one: its tokens so far (prompt plus
 * the output produced), how many of them have KV computed, and the KV blocks it holds while running. A preempted
 * sequence keeps its output and recomputes prompt and output when admitted again.
 */
final class SimulatedSequence {

    final int request;
    final int prompt;
    final int output; // tokens it produces in all
    private final long[] promptKeys; // (full prompt blocks) prefix keys of the prompt's full blocks
    private final PrefixTree tree;
    private int[] blocks = new int[4]; // (blockCount) KV blocks held, in position order
    private int blockCount;
    int committed; // leading blocks named in the pool
    int computed; // leading tokens whose KV is computed
    int produced; // output tokens so far (the last one's KV is not computed yet)
    int scheduledTokens; // tokens of this step's chunk, 0 when not scheduled in the step
    boolean running;

    SimulatedSequence(PrefixTree tree, int request, int prompt, int output, int blockTokens) {
        this.tree = tree;
        this.request = request;
        this.prompt = prompt;
        this.output = output;
        this.promptKeys = PromptBlocks.keys(tree, request, blockTokens);
    }

    /** Prompt plus output tokens so far. */
    int tokens() {
        return prompt + produced;
    }

    /** Full prompt blocks (the ones other prompts may share). */
    int promptBlocks() {
        return promptKeys.length;
    }

    /** The prefix key of block {@code k}, full once its tokens are all there. */
    long key(int k) {
        return k < promptKeys.length ? promptKeys[k] : PromptBlocks.outputKey(tree, request, k);
    }

    int blockCount() {
        return blockCount;
    }

    int block(int k) {
        return blocks[k];
    }

    void setBlock(int k, int block) {
        blocks[k] = block;
    }

    void addBlock(int block) {
        if (blockCount == blocks.length) {
            blocks = Arrays.copyOf(blocks, blockCount * 2);
        }
        blocks[blockCount++] = block;
    }

    /** Blocks to add before writing the KV of its next {@code n} tokens. */
    int blocksToAppend(int n, int blockTokens) {
        return Math.max(0, (computed + n - 1) / blockTokens + 1 - blockCount);
    }

    /** Gives back every block, last first (a prefix outlives its continuations in the cache), and forgets its KV. */
    void free(BlockPool pool) {
        for (int k = blockCount - 1; k >= 0; k--) {
            pool.release(blocks[k]);
        }
        blockCount = 0;
        committed = 0;
        computed = 0;
        running = false;
    }
}
