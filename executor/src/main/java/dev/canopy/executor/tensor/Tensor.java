package dev.canopy.executor.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A named tensor whose bytes live in a {@link MemorySegment} (usually a zero-copy slice of a
 * memory-mapped model file).
 *
 * <p>Shape is in GGUF order: {@code shape[0]} is the innermost (contiguous) dimension. A weight
 * matrix of {@code rows × cols} therefore has {@code shape = {cols, rows}} and each row is
 * {@code type.byteSize(cols)} bytes.
 *
 * @param name tensor name as in the file, e.g. {@code blk.0.attn_q.weight}
 * @param type element type
 * @param shape dimensions, innermost first
 * @param data the tensor's bytes, exactly {@code type.byteSize(elementCount())} long
 */
public record Tensor(String name, GgmlType type, long[] shape, MemorySegment data) {

    public Tensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code i} (0 = innermost). Dimensions past the rank are 1. */
    public long dim(int i) {
        return i < shape.length ? shape[i] : 1;
    }

    /** Total number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Elements per row: the innermost dimension. */
    public int cols() {
        return Math.toIntExact(dim(0));
    }

    /** Number of rows: the product of all dimensions but the innermost. */
    public int rows() {
        return Math.toIntExact(elementCount() / Math.max(1, dim(0)));
    }

    /** Bytes in one row. */
    public long rowBytes() {
        return type.byteSize(dim(0));
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && t.name.equals(name) && t.type == type && Arrays.equals(t.shape, shape)
                && t.data.equals(data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }
}
