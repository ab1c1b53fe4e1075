package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Causal attention over an F32 paged KV cache in the C library ({@code canopy_attend},
 * {@code src/main/c/kernels_attention.h}): the Vector API attention of {@code dev.canopy.executor.model.Attention},
 * bit for bit, at the lane width that class picks (16, 8, or 1 for its scalar path), which fixes the order of every
 * float operation. The code level only decides the speed: AVX-512 runs 16 lanes and AVX2 8 and 16 lanes with kernels
 * of their own (the scores of 16 or 8 positions at once), every other combination the library's plain C loops, which
 * keep the same order. Every index the C code will follow (query rows, the block ids inside each query's window,
 * heads, sinks) is checked here first, so a wrong table fails with an exception instead of reading or writing outside
 * the arrays; ids of blocks before the window (which a sliding-window cache may have freed: -1) are not read.
 *
 * <p>Used wherever the matrix products run native ({@link #of}); {@code -D}{@value #PROPERTY}{@code =false} keeps
 * attention in Java (the same outputs), for A/B measurements. Safe to call from several threads at once.
 */
public final class NativeAttention {

    /** System property that keeps attention in the Vector API ({@code false}); native by default. */
    public static final String PROPERTY = "canopy.nativeAttention";

    private final NativeKernels kernels;
    private final int level;

    private NativeAttention(NativeKernels kernels, int level) {
        this.kernels = kernels;
        this.level = level;
    }

    /**
     * Native attention at {@code matmul}'s code level, or empty where {@code matmul} multiplies in Java or
     * {@value #PROPERTY} is {@code false}.
     */
    public static Optional<NativeAttention> of(MatMul matmul) {
        int level = matmul.nativeLevel();
        if (level < 0 || "false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"))) {
            return Optional.empty();
        }
        return NativeKernels.load().map(k -> new NativeAttention(k, level));
    }

    /** Native attention restricted to code level {@code level} (0 portable C, 1 AVX2, 2 AVX-512), for tests. */
    public static NativeAttention atLevel(int level) {
        return new NativeAttention(NativeKernels.load().orElseThrow(() -> new IllegalStateException(
                "Cannot use the native attention: " + NativeKernels.loadFailure())), level);
    }

    /**
     * Attention of query heads {@code [headFrom, headTo)} for a group of {@code qBase.length} query rows.
     *
     * @param lanes      the lane width whose order of operations to follow: 16, 8 or 1, dividing {@code headDim}
     * @param scale      the factor on q·k
     * @param q          queries: query i's head h at {@code qBase[i] + h * headDim}; {@code out} the same layout
     * @param lastPos    per query, the last position it attends (inclusive)
     * @param tables     the queries' block tables one after the other: query i's block b at {@code tableStart[i] + b}
     * @param keys       the layer's keys, (blocks * blockSize, kvDim)
     * @param values     the layer's values, the same layout
     * @param groupSize  query heads per KV head
     * @param window     positions a query sees, its own included ({@code Integer.MAX_VALUE}: all)
     * @param sinks      per query head a logit with no value in the softmax's denominator, or null
     */
    public void attend(int lanes, int headDim, float scale, float[] q, int[] qBase, int[] lastPos, int[] tables,
                       int[] tableStart, float[] keys, float[] values, int kvDim, int blockSize, int headFrom,
                       int headTo, int groupSize, int window, float[] sinks, float[] out) {
        checkBounds(headDim, q, qBase, lastPos, tables, tableStart, keys, values, kvDim, blockSize, headFrom, headTo,
                groupSize, window, sinks, out);
        kernels.attend(level, lanes, headDim, scale, MemorySegment.ofArray(q), MemorySegment.ofArray(qBase),
                MemorySegment.ofArray(lastPos), qBase.length, MemorySegment.ofArray(tables),
                MemorySegment.ofArray(tableStart), MemorySegment.ofArray(keys), MemorySegment.ofArray(values), kvDim,
                blockSize, headFrom, headTo, groupSize, window,
                sinks == null ? MemorySegment.NULL : MemorySegment.ofArray(sinks), MemorySegment.ofArray(out));
    }

    private static void checkBounds(int headDim, float[] q, int[] qBase, int[] lastPos, int[] tables, int[] tableStart,
                                    float[] keys, float[] values, int kvDim, int blockSize, int headFrom, int headTo,
                                    int groupSize, int window, float[] sinks, float[] out) {
        int heads = kvDim / headDim * groupSize;
        if (headDim <= 0 || kvDim % headDim != 0 || groupSize <= 0 || blockSize <= 0 || window <= 0 || headFrom < 0
                || headTo > heads || headFrom >= headTo || lastPos.length != qBase.length
                || tableStart.length != qBase.length || values.length != keys.length
                || (sinks != null && sinks.length < headTo)) {
            throw new IllegalArgumentException("Cannot attend heads [" + headFrom + ", " + headTo + ") of " + heads
                    + " (heads of " + headDim + ", KV width " + kvDim + ", groups of " + groupSize + ", blocks of "
                    + blockSize + ", window " + window + ", " + qBase.length + " queries): the arguments disagree");
        }
        long poolBlocks = keys.length / ((long) blockSize * kvDim); // blocks in the layer's arrays
        for (int i = 0; i < qBase.length; i++) {
            long end = qBase[i] + (long) headTo * headDim;
            int blocks = lastPos[i] / blockSize + 1;
            if (qBase[i] < 0 || lastPos[i] < 0 || end > q.length || end > out.length || tableStart[i] < 0
                    || tableStart[i] + (long) blocks > tables.length) {
                throw new IllegalArgumentException("Cannot attend query " + i + " (row at " + qBase[i]
                        + ", last position " + lastPos[i] + "): its row or block table lies outside the arrays");
            }
            long firstPos = Math.max(0L, (long) lastPos[i] - window + 1); // blocks before the window are not read
            for (int b = tableStart[i] + (int) (firstPos / blockSize); b < tableStart[i] + blocks; b++) {
                if (tables[b] < 0 || tables[b] >= poolBlocks) {
                    throw new IllegalArgumentException("Cannot attend query " + i + ": its block table names block "
                            + tables[b] + ", outside the layer's " + poolBlocks + " blocks");
                }
            }
        }
    }

    /** The code path, e.g. "native AVX2" (as {@link MatMul#kernelPath()} names it). */
    public String describe() {
        return KernelPath.nativeName(level);
    }

    /** The code level this instance runs at. */
    public int level() {
        return level;
    }
}
