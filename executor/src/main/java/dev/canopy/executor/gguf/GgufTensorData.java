package dev.canopy.executor.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Produces one tensor's bytes when {@link GgufWriter#write()} reaches it, so that a tensor can be
 * generated or copied piece by piece instead of being held in memory whole.
 */
@FunctionalInterface
public interface GgufTensorData {

    /** Writes exactly the tensor's bytes (its type's size for its shape) to {@code sink}. */
    void writeTo(GgufTensorSink sink) throws IOException;

    /** Data already in an array; the array is read when the file is written. */
    static GgufTensorData of(byte[] bytes) {
        return sink -> sink.write(bytes);
    }

    /** Data in a segment (for example a tensor of another, still open file), read when the file is written. */
    static GgufTensorData of(MemorySegment bytes) {
        return sink -> sink.write(bytes);
    }
}
