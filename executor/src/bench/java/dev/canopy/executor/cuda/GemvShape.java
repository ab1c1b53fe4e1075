package dev.canopy.executor.cuda;

import dev.canopy.executor.tensor.GgmlType;
import java.util.List;

/**
 * One weight matrix shape of the GEMV lab ({@link GemvLab}) and how often a decode step of a Llama 2 7B-shaped
 * model multiplies by a matrix of that shape.
 *
 * @param name     what the matrix is in the model
 * @param rows     outputs
 * @param cols     inputs (the contiguous dimension), a multiple of 32
 * @param perToken multiplications by a matrix of this shape per decoded token
 */
record GemvShape(String name, int rows, int cols, int perToken) {

    private static final int BLOCK = 32;
    private static final long ALIGN = 256;

    /**
     * Llama 2 7B's matrices (32 layers): Q, K, V fused, attention output, SwiGLU gate and up (one launch reading two
     * FFN-sized matrices, counted as two), FFN down, logits.
     */
    static final List<GemvShape> LLAMA_7B = List.of(new GemvShape("attention output", 4096, 4096, 32),
            new GemvShape("fused QKV", 12288, 4096, 32), new GemvShape("FFN gate or up", 11008, 4096, 64),
            new GemvShape("FFN down", 4096, 11008, 32), new GemvShape("logits", 32000, 4096, 1));

    GemvShape {
        if (rows <= 0 || cols <= 0 || cols % BLOCK != 0 || perToken < 0) {
            throw new IllegalArgumentException("Cannot make GEMV shape " + name + ": " + rows + " x " + cols + ", "
                    + perToken + " per token; rows and cols must be positive, cols a multiple of " + BLOCK
                    + ", per token at least 0");
        }
    }

    /** Bytes a multiplication reads from the weights of {@code type} (Q8_0 or Q4_0): quants and fp16 scales. */
    long weightBytes(GgmlType type) {
        return quantBytes(type) + scaleBytes();
    }

    long quantBytes(GgmlType type) {
        return switch (type) {
            case Q8_0 -> (long) rows * cols;
            case Q4_0 -> (long) rows * cols / 2;
            default -> throw new IllegalArgumentException("Cannot size a GEMV lab matrix of type " + type
                    + ": the lab has Q8_0 and Q4_0");
        };
    }

    long scaleBytes() {
        return 2L * rows * (cols / BLOCK);
    }

    /**
     * Byte offset of the scales in one device image of the matrix: Q8_0's quants rounded up to 256. A Q4_0 matrix
     * uses the same image (its quants are the first half of Q8_0's), so both formats share one upload.
     */
    long scalesOffset() {
        return align(quantBytes(GgmlType.Q8_0));
    }

    /** Bytes of one image (quants, then scales), rounded up to 256 so that images can follow each other. */
    long imageBytes() {
        return align(scalesOffset() + scaleBytes());
    }

    /**
     * Images to cycle through so that a call's weights are not left in the L2 cache by the calls before it (as in a
     * decode step, where every matrix is read once): enough to fill {@code 4 * l2Bytes}, at least 2.
     */
    int copiesBeyondL2(long l2Bytes) {
        return (int) Math.max(2, (4 * l2Bytes + imageBytes() - 1) / imageBytes());
    }

    private static long align(long bytes) {
        return (bytes + ALIGN - 1) / ALIGN * ALIGN;
    }

    /** {@code fused QKV 12288 x 4096}. */
    String describe() {
        return name + " " + rows + " x " + cols;
    }
}
