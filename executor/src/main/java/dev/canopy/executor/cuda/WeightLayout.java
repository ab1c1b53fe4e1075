package dev.canopy.executor.cuda;

import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;

/**
 * How a weight matrix is laid out in GPU memory. Float types (F32, F16, BF16) keep the file's bytes.
 * Q8_0 and Q4_0 are split, same bits in another order, so that kernels read aligned 16-byte pieces:
 * all quants first, row after row, then from {@link #scalesOffset()} all fp16 block scales:
 * <ul>
 *   <li>Q8_0: quants (rows, cols) int8, scales (rows, cols / 32) fp16;
 *   <li>Q4_0: quants (rows, cols / 2) bytes, each block's 16 nibble bytes as in the file, scales as Q8_0.
 * </ul>
 * K-quant super-blocks stay whole (see {@code weights_k.cuh}): Q4_K (144 bytes) and Q5_K (176 bytes)
 * keep the file's bytes, both sizes being multiples of 16; Q6_K's 210-byte super-blocks are padded to
 * {@value #Q6_K_PADDED_BYTES} bytes each, so that every part of one starts 16-byte aligned.
 *
 * @param type         the file's type
 * @param rows         output features
 * @param cols         input features (the contiguous dimension)
 * @param scalesOffset byte offset of the scales (the quant bytes rounded up to 256); 0 for the types
 *                     that keep their scales inside their blocks (float types, K-quants)
 * @param bytes        the whole device size
 */
record WeightLayout(GgmlType type, int rows, int cols, long scalesOffset, long bytes) {

    /** Weight types the CUDA kernels read. */
    static final Set<GgmlType> SUPPORTED = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);
    /** Bytes a Q6_K super-block takes on the GPU: its 210, then zeros up to a multiple of 16. */
    static final int Q6_K_PADDED_BYTES = 224;
    /** Types split into quants and scales at upload. */
    private static final Set<GgmlType> SPLIT = EnumSet.of(GgmlType.Q8_0, GgmlType.Q4_0);

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
        if (t.type() == GgmlType.Q6_K) {
            return new WeightLayout(t.type(), rows, cols, 0, (long) rows * (cols / t.type().blockSize())
                    * Q6_K_PADDED_BYTES);
        }
        if (!SPLIT.contains(t.type())) {
            return new WeightLayout(t.type(), rows, cols, 0, t.data().byteSize());
        }
        long quantBytes = t.type() == GgmlType.Q8_0 ? (long) rows * cols : (long) rows * cols / 2;
        long scalesOffset = (quantBytes + ALIGN - 1) / ALIGN * ALIGN;
        return new WeightLayout(t.type(), rows, cols, scalesOffset, scalesOffset + 2L * rows * (cols / BLOCK));
    }

    /** Whether the tensor's bytes go to the GPU unchanged. */
    boolean asInFile() {
        return !SPLIT.contains(type) && type != GgmlType.Q6_K;
    }

    /** Writes the device image of {@code t}, a type not {@link #asInFile()}, into {@code out} ({@link #bytes()} long). */
    void writeImage(Tensor t, MemorySegment out) {
        if (type == GgmlType.Q6_K) {
            pad(t, out);
        } else {
            split(t, out);
        }
    }

    /** Q6_K: super-block {@code b} (in file order) to {@code b * Q6_K_PADDED_BYTES}, zeros after it. */
    private void pad(Tensor t, MemorySegment out) {
        int blockBytes = type.bytesPerBlock();
        long blocks = (long) rows * (cols / type.blockSize());
        out.fill((byte) 0);
        for (long b = 0; b < blocks; b++) {
            MemorySegment.copy(t.data(), b * blockBytes, out, b * Q6_K_PADDED_BYTES, blockBytes);
        }
    }

    /**
     * Q8_0 and Q4_0: block {@code b} (in file order) gives its quants to {@code b * blockQuants} and
     * its scale to {@code scalesOffset + 2b}.
     */
    private void split(Tensor t, MemorySegment out) {
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
