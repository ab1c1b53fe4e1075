package dev.canopy.executor.tensor;

/**
 * The definition of {@link MatMul}: decode each weight row with {@link Dequant} and accumulate the dot
 * product in double. Slow; the fast kernels are tested against it.
 */
public final class ReferenceMatMul {

    private ReferenceMatMul() {}

    /** {@code out[outOffset + b*rows + r] = Σ_c W[r][c] · x[xOffset + b*cols + c]}, in double. */
    public static void apply(Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset) {
        int rows = w.rows();
        int cols = w.cols();
        float[] row = new float[cols]; // (cols)
        for (int r = 0; r < rows; r++) {
            Dequant.row(w, r, row, 0);
            for (int b = 0; b < batch; b++) {
                double sum = 0;
                for (int c = 0; c < cols; c++) {
                    sum += (double) row[c] * x[xOffset + b * cols + c];
                }
                out[outOffset + b * rows + r] = (float) sum;
            }
        }
    }
}
