package dev.canopy.executor.safetensors;

/**
 * One tensor of a safetensors header: its dtype, its shape (outermost first, as written) and the
 * byte range {@code [begin, end)} of its data, relative to the start of the data section.
 */
public record SafetensorsTensorInfo(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {

    public SafetensorsTensorInfo {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long byteSize() {
        return end - begin;
    }
}
