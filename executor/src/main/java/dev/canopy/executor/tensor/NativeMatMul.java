package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;

/**
 * {@link MatMul} through the C kernels: rows are split among the threads in units of
 * {@value #ROW_UNIT}; for Q8_0/Q4_0 weights the activations are quantized once per call, before the
 * parallel part. Keeps the buffer of quantized activations between calls; callers take turns.
 */
final class NativeMatMul {

    private static final int ROW_UNIT = 16;

    private final NativeKernels kernels;
    private final int level;
    private byte[] quantized = new byte[0]; // (batch, actBytes(cols, 1)), see canopy_quantize

    NativeMatMul(NativeKernels kernels, int level) {
        this.kernels = kernels;
        this.level = level;
    }

    int level() {
        return level;
    }

    /** Synchronized: concurrent callers would share the quantized-activation buffer. */
    synchronized void apply(Parallel parallel, Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset) {
        int rows = w.rows();
        int cols = w.cols();
        int type = w.type().id();
        MemorySegment weights = w.data();
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment os = MemorySegment.ofArray(out);
        int units = (rows + ROW_UNIT - 1) / ROW_UNIT;
        if (w.type().quantized()) {
            long bytes = kernels.actBytes(cols, batch);
            if (quantized.length < bytes) {
                quantized = new byte[Math.toIntExact(Math.max(bytes, quantized.length * 3L / 2))];
            }
            MemorySegment act = MemorySegment.ofArray(quantized);
            kernels.quantize(level, xs, xOffset, cols, batch, act);
            parallel.forRange(units, (start, end) -> kernels.matmulQuant(level, type, weights, rows, cols, act, batch,
                    os, outOffset, start * ROW_UNIT, Math.min(rows, end * ROW_UNIT)));
        } else {
            parallel.forRange(units, (start, end) -> kernels.matmulFloat(level, type, weights, rows, cols, xs, xOffset,
                    batch, os, outOffset, start * ROW_UNIT, Math.min(rows, end * ROW_UNIT)));
        }
    }
}
