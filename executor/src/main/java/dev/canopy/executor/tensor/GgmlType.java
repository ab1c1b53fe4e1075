package dev.canopy.executor.tensor;

import java.util.Arrays;
import java.util.Optional;

/**
 * Tensor element types as numbered in GGML/GGUF ({@code ggml_type}). Each value knows how many
 * elements one block holds and how many bytes that block takes; plain types have a block of 1.
 *
 * <p>{@link #supported()} says whether Canopy's kernels can read the type. A file with another type
 * fails at load time naming the tensor and its type.
 */
public enum GgmlType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 2 + 16, true),
    Q4_1(3, 32, 2 + 2 + 16, true),
    Q5_0(6, 32, 2 + 4 + 16, true),
    Q5_1(7, 32, 2 + 2 + 4 + 16, true),
    Q8_0(8, 32, 2 + 32, true),
    Q8_1(9, 32, 4 + 4 + 32, false),
    Q2_K(10, 256, 256 / 16 + 256 / 4 + 2 + 2, false),
    Q3_K(11, 256, 256 / 8 + 256 / 4 + 12 + 2, false),
    Q4_K(12, 256, 2 + 2 + 12 + 256 / 2, true),
    Q5_K(13, 256, 2 + 2 + 12 + 256 / 8 + 256 / 2, true),
    Q6_K(14, 256, 256 / 2 + 256 / 4 + 256 / 16 + 2, true),
    Q8_K(15, 256, 4 + 256 + 256 / 16 * 2, false),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    BF16(30, 1, 2, true),
    MXFP4(39, 32, 1 + 16, true);

    private final int id;
    private final int blockSize;
    private final int bytesPerBlock;
    private final boolean supported;

    GgmlType(int id, int blockSize, int bytesPerBlock, boolean supported) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
        this.supported = supported;
    }

    /** The number GGUF files use for this type. */
    public int id() {
        return id;
    }

    /** Elements per block (1 for plain types, 32 for Q8_0/Q4_0, 256 for K-quants). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes one block occupies in the file. */
    public int bytesPerBlock() {
        return bytesPerBlock;
    }

    /** Whether Canopy can compute with tensors of this type. */
    public boolean supported() {
        return supported;
    }

    /** Whether the type is block-quantized (block size above 1). */
    public boolean quantized() {
        return blockSize > 1;
    }

    /**
     * Bytes taken by {@code elements} values of this type.
     *
     * @throws IllegalArgumentException if {@code elements} is not a whole number of blocks
     * @throws ArithmeticException if the size overflows a long
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    "Cannot size " + elements + " elements of " + this + ": not a multiple of its block size " + blockSize);
        }
        return Math.multiplyExact(elements / blockSize, (long) bytesPerBlock);
    }

    /** The type with GGUF number {@code id}, if Canopy knows it. */
    public static Optional<GgmlType> fromId(int id) {
        return Arrays.stream(values()).filter(t -> t.id == id).findFirst();
    }

    /** The type named {@code name} (case-insensitive, e.g. "q8_0"), if Canopy knows it. */
    public static Optional<GgmlType> fromName(String name) {
        return Arrays.stream(values()).filter(t -> t.name().equalsIgnoreCase(name)).findFirst();
    }
}
