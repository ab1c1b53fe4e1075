package dev.canopy.executor.model;

/**
 * One forward step: a flat batch of token rows from one or more sequences.
 *
 * <p>Rows of one sequence are contiguous and in position order. Each row's key and value are
 * written to the KV cache at its position; each row attends to positions {@code 0..position} of
 * its own sequence.
 *
 * @param tokens       token id per row                                   (rows)
 * @param positions    position of each row in its sequence               (rows)
 * @param rowSequence  index into {@code blockTables} of each row's sequence (rows)
 * @param blockTables  per sequence, its KV block ids in position order
 * @param logitRows    rows whose logits are wanted, ascending
 * @param localBlockTables per sequence, the KV block ids of its sliding-window layers, when they live in a pool of
 *                     their own ({@code dev.canopy.executor.kv.WindowedBlocks}); else {@code blockTables} itself
 */
public record ForwardBatch(int[] tokens, int[] positions, int[] rowSequence, int[][] blockTables, int[] logitRows,
                           int[][] localBlockTables) {

    /** A batch whose local layers use the same blocks as the others. */
    public ForwardBatch(int[] tokens, int[] positions, int[] rowSequence, int[][] blockTables, int[] logitRows) {
        this(tokens, positions, rowSequence, blockTables, logitRows, blockTables);
    }

    /** This batch with the local layers' own block tables, one per sequence as {@code blockTables}. */
    public ForwardBatch withLocalBlockTables(int[][] tables) {
        if (tables.length != blockTables.length) {
            throw new IllegalArgumentException("Cannot set local block tables: " + tables.length
                    + " tables for a batch of " + blockTables.length + " sequences");
        }
        return new ForwardBatch(tokens, positions, rowSequence, blockTables, logitRows, tables);
    }

    public ForwardBatch {
        if (tokens.length != positions.length || tokens.length != rowSequence.length) {
            throw new IllegalArgumentException("Cannot build forward batch: tokens, positions and rowSequence differ in "
                    + "length: " + tokens.length + ", " + positions.length + ", " + rowSequence.length);
        }
    }

    public int rows() {
        return tokens.length;
    }

    /** A batch of one sequence's consecutive tokens starting at {@code startPos}, with logits for the last row. */
    public static ForwardBatch ofSequence(int[] tokens, int startPos, int[] blockTable) {
        int n = tokens.length;
        int[] pos = new int[n];
        for (int i = 0; i < n; i++) {
            pos[i] = startPos + i;
        }
        return new ForwardBatch(tokens.clone(), pos, new int[n], new int[][] {blockTable}, new int[] {n - 1});
    }
}
