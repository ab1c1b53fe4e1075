package dev.canopy.executor.gguf;

import dev.canopy.executor.tensor.GgmlType;

/**
 * One entry of a GGUF file's tensor table.
 *
 * @param name tensor name
 * @param shape dimensions, innermost first (GGUF {@code ne} order)
 * @param type element type
 * @param offset byte offset of the data, relative to the start of the file's tensor data section
 * @param byteSize bytes the data occupies
 */
public record GgufTensorInfo(String name, long[] shape, GgmlType type, long offset, long byteSize) {

    public GgufTensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
