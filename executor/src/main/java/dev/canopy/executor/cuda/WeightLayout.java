package dev.canopy.executor.cuda;

import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;

/**
 * How a weight matrix is laid out in GPU memory. Float types (F32, F16, BF16) keep the file's bytes.
 * Block types are split, same bits in another order, so that kernels read aligned 16-byte pieces:
 * all quants first, row after row, then from {@link #scalesOffset()} all fp16 block scales:
 * <ul>
 *   <li>Q8_0: quants (rows, cols) int8, scales (rows, cols / 32) fp16;
 *   <li>Q4_0: quants (rows, cols / 2) bytes, each block's 16 nibble bytes as in the file, scales as Q8_0.
 * </ul>
 *
 * @param type         the file's type
 * @param rows         output features
 * @param cols         input features (the contiguous dimension)
 * @param scalesOffset byte offset of the scales (the quant bytes rounded up to 256); 0 for float types
 * @param bytes        the whole device size
 */
record WeightLayout(GgmlType type, int rows, int cols, long scalesOffset, long bytes) {

    /** Weight types the CUDA kernels read. */
    static final Set<GgmlType> SUPPORTED = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0);

    private static final int BLOCK = 32;
    private static final long ALIGN = 256;
    private static final ValueLayout.OfShort SCALE = ValueLayout.JAVA_SHORT_UNALIGNED;

    /**
     * The layout of tensor {@code t}.
     *
     * @throws IllegalArgumentException naming the tensor when its type has no CUDA kernel
     */
    static WeightLayout of(Tensor t) {
        if (!SUPPORTED.contains(t.type())) {
            throw new IllegalArgumentException("Cannot load tensor " + t.name() + " onto the GPU: type " + t.type()
                    + " has no CUDA kernel (supported: " + SUPPORTED + ")");
        }
        int rows = t.rows();
        int cols = t.cols();
        if (!t.type().quantized()) {
            return new WeightLayout(t.type(), rows, cols, 0, t.data().byteSize());
        }
        long quantBytes = t.type() == GgmlType.Q8_0 ? (long) rows * cols : (long) rows * cols / 2;
        long scalesOffset = (quantBytes + ALIGN - 1) / ALIGN * ALIGN;
        return new WeightLayout(t.type(), rows, cols, scalesOffset, scalesOffset + 2L * rows * (cols / BLOCK));
    }

    /** Whether the tensor's bytes go to the GPU unchanged. */
    boolean asInFile() {
        return !type.quantized();
    }

    /**
     * Writes the device image of block-quantized {@code t} into {@code out} ({@link #bytes()} long).
     * Block {@code b} (in file order) gives its quants to {@code b * blockQuants} and its scale to
     * {@code scalesOffset + 2b}.
     */
    void split(Tensor t, MemorySegment out) {
        int blockBytes = type.bytesPerBlock();
        int quantsPerBlock = blockBytes - 2;
        long blocks = (long) rows * cols / BLOCK;
        MemorySegment src = t.data();
        for (long b = 0; b < blocks; b++) {
            long at = b * blockBytes;
            out.set(SCALE, scalesOffset + 2 * b, src.get(SCALE, at));
            MemorySegment.copy(src, at + 2, out, b * quantsPerBlock, quantsPerBlock);
        }
    }
}
