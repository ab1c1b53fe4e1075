package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;

/**
 * {@link MatMul} through the C kernels: rows are split among the threads in units of
 * {@value #ROW_UNIT}; for quantized weights the activations are quantized once per call, before the
 * parallel part, with the scales the weight type's kernels expect (one per 256 values for the K-quants,
 * else one per block of 32: {@link NativeKernels#actGroup}). Every supported type has C kernels at every level (AVX-512, AVX2, portable C). Keeps
 * the buffer of quantized activations between calls; callers take turns.
 */
final class NativeMatMul {

    private static final int ROW_UNIT = 16;

    private final NativeKernels kernels;
    private final int level;
    private byte[] quantized = new byte[0]; // (batch, actBytes(cols, 1)), see canopy_quantize_grouped

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
            kernels.quantize(level, xs, xOffset, cols, batch, kernels.actGroup(type), act);
            parallel.forRange(units, (start, end) -> kernels.matmulQuant(level, type, weights, rows, cols, act, batch,
                    os, outOffset, start * ROW_UNIT, Math.min(rows, end * ROW_UNIT)));
        } else {
            parallel.forRange(units, (start, end) -> kernels.matmulFloat(level, type, weights, rows, cols, xs, xOffset,
                    batch, os, outOffset, start * ROW_UNIT, Math.min(rows, end * ROW_UNIT)));
        }
    }

    /**
     * Several quantized matrices of one type and width times the same activations, in one parallel
     * region: the activations are quantized once and the row units of all matrices are shared out
     * together. Each output row is computed exactly as {@link #apply} computes it (same kernel, same
     * 16-row-aligned ranges), so results are bit-identical to separate calls.
     *
     * @return false when the matrices do not qualify (the caller then multiplies them one by one)
     */
    synchronized boolean applyAll(Parallel parallel, Tensor[] ws, float[] x, int batch, float[][] outs) {
        GgmlType t = ws[0].type();
        int cols = ws[0].cols();
        if (!t.quantized()) {
            return false;
        }
        int[] firstUnit = new int[ws.length + 1]; // (matrices + 1) prefix sums of row units
        for (int m = 0; m < ws.length; m++) {
            if (ws[m].type() != t || ws[m].cols() != cols) {
                return false;
            }
            firstUnit[m + 1] = firstUnit[m] + (ws[m].rows() + ROW_UNIT - 1) / ROW_UNIT;
        }
        long bytes = kernels.actBytes(cols, batch);
        if (quantized.length < bytes) {
            quantized = new byte[Math.toIntExact(Math.max(bytes, quantized.length * 3L / 2))];
        }
        MemorySegment act = MemorySegment.ofArray(quantized);
        int type = t.id();
        kernels.quantize(level, MemorySegment.ofArray(x), 0, cols, batch, kernels.actGroup(type), act);
        MemorySegment[] os = new MemorySegment[ws.length];
        for (int m = 0; m < ws.length; m++) {
            os[m] = MemorySegment.ofArray(outs[m]);
        }
        parallel.forRange(firstUnit[ws.length], (start, end) -> {
            for (int m = 0; m < ws.length; m++) {
                int from = Math.max(start, firstUnit[m]);
                int to = Math.min(end, firstUnit[m + 1]);
                if (from < to) {
                    int rows = ws[m].rows();
                    kernels.matmulQuant(level, type, ws[m].data(), rows, cols, act, batch, os[m], 0,
                            (from - firstUnit[m]) * ROW_UNIT, Math.min(rows, (to - firstUnit[m]) * ROW_UNIT));
                }
            }
        });
        return true;
    }
}
