package dev.canopy.executor.gguf;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Buffered little-endian output over a {@link FileChannel}, for writing GGUF files. Positions are
 * longs, so files past 2 GiB are fine; data is flushed in chunks, so a tensor never has to sit in
 * memory whole.
 */
final class GgufOutput implements AutoCloseable {

    private static final int BUFFER_BYTES = 1 << 20;

    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    private final MemorySegment bufferSegment = MemorySegment.ofBuffer(buffer);
    private long flushed;

    GgufOutput(FileChannel channel) {
        this.channel = channel;
    }

    /** Bytes written so far (buffered or not): the file offset of the next byte. */
    long position() {
        return flushed + buffer.position();
    }

    void u8(byte v) throws IOException {
        room(1).put(v);
    }

    void u16(short v) throws IOException {
        room(2).putShort(v);
    }

    void u32(int v) throws IOException {
        room(4).putInt(v);
    }

    void u64(long v) throws IOException {
        room(8).putLong(v);
    }

    /** A GGUF string: u64 byte length, then the UTF-8 bytes. */
    void string(String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        u64(utf8.length);
        bytes(utf8, 0, utf8.length);
    }

    void bytes(byte[] src, int offset, int length) throws IOException {
        bytes(MemorySegment.ofArray(src).asSlice(offset, length));
    }

    /** Copies all of {@code src}, however large, through the buffer. */
    void bytes(MemorySegment src) throws IOException {
        long done = 0;
        long total = src.byteSize();
        while (done < total) {
            if (!buffer.hasRemaining()) {
                flush();
            }
            int n = (int) Math.min(buffer.remaining(), total - done);
            MemorySegment.copy(src, done, bufferSegment, buffer.position(), n);
            buffer.position(buffer.position() + n);
            done += n;
        }
    }

    /** Writes zero bytes until {@link #position()} is a multiple of {@code alignment}. */
    void padTo(int alignment) throws IOException {
        long pad = Math.floorMod(-position(), (long) alignment);
        for (long i = 0; i < pad; i++) {
            u8((byte) 0);
        }
    }

    private ByteBuffer room(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
        }
        return buffer;
    }

    void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) {
            flushed += channel.write(buffer);
        }
        buffer.clear();
    }

    /** Flushes the buffer; the channel is the caller's to close. */
    @Override
    public void close() throws IOException {
        flush();
    }
}
