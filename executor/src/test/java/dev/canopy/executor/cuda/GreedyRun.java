package dev.canopy.executor.cuda;

import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.ForwardBatch;

/** Greedy decoding of one sequence on any backend, keeping every step's logits, for comparisons. */
final class GreedyRun {

    /** The sampled tokens, (steps). */
    final int[] tokens;
    /** Each step's logits, (steps, vocab): step 0 after the prompt, step i after token i - 1. */
    final float[][] logits;

    private GreedyRun(int[] tokens, float[][] logits) {
        this.tokens = tokens;
        this.logits = logits;
    }

    /** Prefills {@code prompt} in one step, then decodes {@code steps} tokens one step each. */
    static GreedyRun of(Backend backend, int[] prompt, int steps) {
        int[] table = new int[backend.numBlocks()];
        for (int i = 0; i < table.length; i++) {
            table[i] = i;
        }
        int[] tokens = new int[steps];
        float[][] logits = new float[steps][];
        logits[0] = backend.forward(ForwardBatch.ofSequence(prompt, 0, table));
        for (int i = 0; i < steps; i++) {
            tokens[i] = argmax(logits[i]);
            if (i + 1 < steps) {
                logits[i + 1] = backend.forward(ForwardBatch.ofSequence(new int[] {tokens[i]}, prompt.length + i, table));
            }
        }
        return new GreedyRun(tokens, logits);
    }

    /** The first index of the largest value. */
    static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }
}
