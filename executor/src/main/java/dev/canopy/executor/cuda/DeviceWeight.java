package dev.canopy.executor.cuda;

import dev.canopy.executor.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A weight matrix in GPU memory, in the layout {@link WeightLayout} describes.
 *
 * @param name   the tensor's name in the model file
 * @param layout type, shape and device layout
 * @param buffer the device bytes
 */
record DeviceWeight(String name, WeightLayout layout, DeviceBuffer buffer) implements AutoCloseable {

    /** Copies tensor {@code t} to the GPU, splitting or padding block types on the way ({@link WeightLayout}). */
    static DeviceWeight upload(CudaContext context, Tensor t) {
        WeightLayout layout = WeightLayout.of(t);
        DeviceBuffer buffer = context.allocate(layout.bytes(), "weight " + t.name());
        try {
            if (layout.asInFile()) {
                buffer.upload(0, t.data());
            } else {
                try (Arena staging = Arena.ofConfined()) {
                    MemorySegment image = staging.allocate(layout.bytes(), 256); // the device image
                    layout.writeImage(t, image);
                    buffer.upload(0, image);
                }
            }
            return new DeviceWeight(t.name(), layout, buffer);
        } catch (RuntimeException e) {
            buffer.close();
            throw e;
        }
    }

    /** Device address of the quants (or of the float elements). */
    long data() {
        return buffer.address();
    }

    /** Device address of the block scales (meaningless for float types and K-quants, whose scales sit in their blocks). */
    long scales() {
        return buffer.address(layout.scalesOffset());
    }

    int rows() {
        return layout.rows();
    }

    int cols() {
        return layout.cols();
    }

    @Override
    public void close() {
        buffer.close();
    }
}
