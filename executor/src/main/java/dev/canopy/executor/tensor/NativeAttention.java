package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Optional;

/**
 * Causal attention over an F32 paged KV cache in the C library ({@code canopy_attend},
 * {@code src/main/c/kernels_attention.h}): the Vector API attention of {@code dev.canopy.executor.model.Attention},
 * bit for bit, at the lane width that class picks (16, 8, or 1 for its scalar path), which fixes the order of every
 * float operation. The code level only decides the speed: AVX-512 runs 16 lanes and AVX2 8 lanes with kernels of
 * their own (the scores of 16 or 8 positions at once), every other combination the library's plain C loops, which
 * keep the same order.
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
        kernels.attend(level, lanes, headDim, scale, MemorySegment.ofArray(q), MemorySegment.ofArray(qBase),
                MemorySegment.ofArray(lastPos), qBase.length, MemorySegment.ofArray(tables),
                MemorySegment.ofArray(tableStart), MemorySegment.ofArray(keys), MemorySegment.ofArray(values), kvDim,
                blockSize, headFrom, headTo, groupSize, window,
                sinks == null ? MemorySegment.NULL : MemorySegment.ofArray(sinks), MemorySegment.ofArray(out));
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
