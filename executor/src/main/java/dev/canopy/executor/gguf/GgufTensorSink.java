package dev.canopy.executor.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * Where a {@link GgufTensorData} writes one tensor's bytes, in order, in as many calls as it likes.
 * It accepts exactly the tensor's byte size: a write past it fails, and so does writing too little.
 */
public final class GgufTensorSink {

    private final GgufOutput out;
    private final String tensor;
    private final long expected;
    private long written;

    GgufTensorSink(GgufOutput out, String tensor, long expected) {
        this.out = out;
        this.tensor = tensor;
        this.expected = expected;
    }

    /** Appends all of {@code bytes}. */
    public void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    /** Appends {@code length} bytes of {@code bytes} starting at {@code offset}. */
    public void write(byte[] bytes, int offset, int length) throws IOException {
        accept(length);
        out.bytes(bytes, offset, length);
    }

    /** Appends all bytes of {@code segment} (any size). */
    public void write(MemorySegment segment) throws IOException {
        accept(segment.byteSize());
        out.bytes(segment);
    }

    /** Bytes still expected. */
    public long remaining() {
        return expected - written;
    }

    private void accept(long bytes) {
        if (bytes > remaining()) {
            throw new IllegalStateException("Cannot write tensor " + tensor + ": its data would have " + (written + bytes)
                    + " bytes, but its type and shape need " + expected);
        }
        written += bytes;
    }

    void checkComplete() {
        if (written != expected) {
            throw new IllegalStateException("Cannot write tensor " + tensor + ": its data source wrote " + written
                    + " bytes, but its type and shape need " + expected);
        }
    }
}
