package dev.canopy.executor.tensor;

import static dev.canopy.executor.tensor.VectorLanes.F;

import jdk.incubator.vector.FloatVector;

/**
 * Matrix multiplication with the Vector API, for any supported weight type: each tile of up to
 * {@value #ROW_TILE} weight rows is decoded to floats once ({@link RowDecoder}) and then multiplied
 * with the activations {@value #BATCH_TILE} rows at a time, so each decoded weight is reused across
 * the batch.
 *
 * <p>Reproducibility: every output element is one dot product computed by the sequence of operations of
 * {@link FloatOps#dot} (lane-wise fused multiply-adds over the columns, a fixed lane tree, then the
 * remaining columns one by one), whichever tile shape, batch size or thread computed it.
 */
final class JavaMatMul {

    static final int ROW_TILE = 4;
    static final int BATCH_TILE = 4;
    private static final int L = F.length();

    private JavaMatMul() {}

    static void apply(Parallel parallel, Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset) {
        int rows = w.rows();
        int cols = w.cols();
        int tiles = (rows + ROW_TILE - 1) / ROW_TILE;
        parallel.forRange(tiles, (start, end) -> {
            float[] decoded = new float[ROW_TILE * cols]; // (ROW_TILE, cols)
            for (int tile = start; tile < end; tile++) {
                int r0 = tile * ROW_TILE;
                int nr = Math.min(ROW_TILE, rows - r0);
                for (int i = 0; i < nr; i++) {
                    RowDecoder.decode(w, r0 + i, decoded, i * cols);
                }
                for (int b0 = 0; b0 < batch; b0 += BATCH_TILE) {
                    int nb = Math.min(BATCH_TILE, batch - b0);
                    int xAt = xOffset + b0 * cols;
                    int outAt = outOffset + b0 * rows + r0;
                    if (nr == ROW_TILE && nb == BATCH_TILE) {
                        tile4x4(decoded, cols, x, xAt, out, outAt, rows);
                    } else {
                        for (int b = 0; b < nb; b++) {
                            for (int r = 0; r < nr; r++) {
                                out[outAt + b * rows + r] = FloatOps.dot(decoded, r * cols, x, xAt + b * cols, cols);
                            }
                        }
                    }
                }
            }
        });
    }

    /** 4 weight rows × 4 activation rows: 16 dot products sharing their loads. */
    private static void tile4x4(float[] w, int cols, float[] x, int xAt, float[] out, int outAt, int rows) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int c = 0;
        for (int bound = F.loopBound(cols); c < bound; c += L) {
            FloatVector w0 = FloatVector.fromArray(F, w, c);
            FloatVector w1 = FloatVector.fromArray(F, w, cols + c);
            FloatVector w2 = FloatVector.fromArray(F, w, 2 * cols + c);
            FloatVector w3 = FloatVector.fromArray(F, w, 3 * cols + c);
            FloatVector x0 = FloatVector.fromArray(F, x, xAt + c);
            a00 = w0.fma(x0, a00);
            a10 = w1.fma(x0, a10);
            a20 = w2.fma(x0, a20);
            a30 = w3.fma(x0, a30);
            FloatVector x1 = FloatVector.fromArray(F, x, xAt + cols + c);
            a01 = w0.fma(x1, a01);
            a11 = w1.fma(x1, a11);
            a21 = w2.fma(x1, a21);
            a31 = w3.fma(x1, a31);
            FloatVector x2 = FloatVector.fromArray(F, x, xAt + 2 * cols + c);
            a02 = w0.fma(x2, a02);
            a12 = w1.fma(x2, a12);
            a22 = w2.fma(x2, a22);
            a32 = w3.fma(x2, a32);
            FloatVector x3 = FloatVector.fromArray(F, x, xAt + 3 * cols + c);
            a03 = w0.fma(x3, a03);
            a13 = w1.fma(x3, a13);
            a23 = w2.fma(x3, a23);
            a33 = w3.fma(x3, a33);
        }
        // stored, not passed on: a call taking vectors that is not inlined would box them
        float[] sums = new float[ROW_TILE * BATCH_TILE * L]; // (ROW_TILE, BATCH_TILE, L)
        a00.intoArray(sums, 0);
        a01.intoArray(sums, L);
        a02.intoArray(sums, 2 * L);
        a03.intoArray(sums, 3 * L);
        a10.intoArray(sums, 4 * L);
        a11.intoArray(sums, 5 * L);
        a12.intoArray(sums, 6 * L);
        a13.intoArray(sums, 7 * L);
        a20.intoArray(sums, 8 * L);
        a21.intoArray(sums, 9 * L);
        a22.intoArray(sums, 10 * L);
        a23.intoArray(sums, 11 * L);
        a30.intoArray(sums, 12 * L);
        a31.intoArray(sums, 13 * L);
        a32.intoArray(sums, 14 * L);
        a33.intoArray(sums, 15 * L);
        finish(sums, w, x, xAt, c, cols, out, outAt, rows);
    }

    /** Reduces the stored accumulators and adds the columns past the last full vector, as {@link FloatOps#dot} does. */
    private static void finish(float[] sums, float[] w, float[] x, int xAt, int tail, int cols, float[] out, int outAt,
            int rows) {
        float[] scratch = new float[L];
        for (int r = 0; r < ROW_TILE; r++) {
            for (int b = 0; b < BATCH_TILE; b++) {
                float sum = VectorLanes.sumStored(sums, (r * BATCH_TILE + b) * L, scratch);
                for (int k = tail; k < cols; k++) {
                    sum = Math.fma(w[r * cols + k], x[xAt + b * cols + k], sum);
                }
                out[outAt + b * rows + r] = sum;
            }
        }
    }
}
