package dev.canopy.executor.model;

import java.lang.foreign.MemorySegment;

/**
 * The logits of one forward step's logit rows, for sampling: {@code (rows, vocab)} floats in native byte order,
 * on the heap or in native memory a backend reuses step after step ({@link Backend#forwardRows}), so valid only
 * until the backend's next step.
 *
 * @param floats (rows, vocab) floats; may be longer
 * @param rows   logit rows
 * @param vocab  floats per row (the model's vocabulary)
 */
public record LogitRows(MemorySegment floats, int rows, int vocab) {

    public LogitRows {
        if (rows < 0 || vocab < 0 || floats.byteSize() < 4L * rows * vocab) {
            throw new IllegalArgumentException("Cannot view logits as " + rows + " rows of " + vocab + " floats: rows "
                    + "and vocab must be at least 0 and the segment of " + floats.byteSize() + " bytes must hold them");
        }
    }

    /** {@code logits} (rows, vocab) as rows; vocab is its length over {@code rows} (0 when there is no row). */
    public static LogitRows of(float[] logits, int rows) {
        if (rows < 0 || (rows == 0 ? logits.length != 0 : logits.length % rows != 0)) {
            throw new IllegalArgumentException("Cannot view " + logits.length + " logits as " + rows + " rows of "
                    + "equal length");
        }
        return new LogitRows(MemorySegment.ofArray(logits), rows, rows == 0 ? 0 : logits.length / rows);
    }

    /**
     * Logit row {@code row}: {@code vocab} floats.
     *
     * @throws IndexOutOfBoundsException if {@code row} is not in {@code [0, rows)}
     */
    public MemorySegment row(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("Cannot read logit row " + row + ": the step has " + rows
                    + " logit rows");
        }
        return floats.asSlice(4L * row * vocab, 4L * vocab);
    }
}
