package dev.canopy.executor.kv;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The full-precision copies of a {@link KvCacheType#Q4} cache's blocks still being filled (KIVI's residual): a block
 * is opened when its slot 0 is written and closed at the end of the step in which its last slot was written (when
 * it has been quantized). Closed copies are recycled. At most one block per sequence is open, plus blocks freed
 * while open, until reused.
 */
final class OpenBlocks {

    /** One open block: per layer, its keys and values in full precision. */
    record Residual(float[][] keys, float[][] values) {} // each per layer: (blockSize, kvDim)

    private final int layers;
    private final int slotFloats;
    private final Residual[] open;        // (numBlocks) the open copy of each block, null when closed
    private final ArrayDeque<Residual> spare = new ArrayDeque<>();
    private final List<Integer> closing = new ArrayList<>(); // blocks filled in this step

    OpenBlocks(int numBlocks, int layers, int blockSize, int kvDim) {
        this.layers = layers;
        this.slotFloats = blockSize * kvDim;
        this.open = new Residual[numBlocks];
    }

    /** Opens {@code block} (its content undefined until written), or keeps it open; returns its copy. */
    Residual open(int block) {
        if (open[block] == null) {
            open[block] = spare.isEmpty()
                    ? new Residual(new float[layers][slotFloats], new float[layers][slotFloats]) : spare.pop();
        }
        return open[block];
    }

    /** The open copy of {@code block}, or null when the block is closed (quantized, or never written). */
    Residual get(int block) {
        return open[block];
    }

    /** Closes {@code block} at the end of this step ({@link #finishStep}): it was filled. */
    void closeAfterStep(int block) {
        closing.add(block);
    }

    /** Closes every block filled during the step. */
    void finishStep() {
        for (int block : closing) {
            close(block);
        }
        closing.clear();
    }

    /** Closes {@code block} now (its content was replaced by a quantized one). */
    void close(int block) {
        if (open[block] != null) {
            spare.push(open[block]);
            open[block] = null;
        }
    }

    /** Makes {@code dst} open with {@code src}'s content when {@code src} is open, else closes it. */
    void copy(int src, int dst) {
        Residual from = open[src];
        if (from == null) {
            close(dst);
            return;
        }
        Residual to = open(dst);
        for (int l = 0; l < layers; l++) {
            System.arraycopy(from.keys()[l], 0, to.keys()[l], 0, slotFloats);
            System.arraycopy(from.values()[l], 0, to.values()[l], 0, slotFloats);
        }
    }

    /** Blocks open now. */
    int openCount() {
        int n = 0;
        for (Residual r : open) {
            n += r == null ? 0 : 1;
        }
        return n;
    }
}
