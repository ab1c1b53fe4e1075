package dev.canopy.executor.gguf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads little-endian GGUF primitives from a memory segment, checking every read against the end
 * of the file so that a truncated or lying file fails with a message, never an index exception.
 */
final class GgufCursor {

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    private final Path file;
    private final MemorySegment data;
    private final GgufLimits limits;
    private long pos;

    GgufCursor(Path file, MemorySegment data, GgufLimits limits) {
        this.file = file;
        this.data = data;
        this.limits = limits;
    }

    long position() {
        return pos;
    }

    long size() {
        return data.byteSize();
    }

    /** Throws unless {@code bytes} more bytes remain after the current position. */
    void need(long bytes, String what) {
        if (bytes < 0 || pos > data.byteSize() - bytes) {
            throw new ModelFormatException(file, "file is truncated: reading " + what + " needs " + bytes
                    + " bytes at offset " + pos + ", but the file has " + data.byteSize() + " bytes");
        }
    }

    byte u8(String what) {
        need(1, what);
        return data.get(ValueLayout.JAVA_BYTE, pos++);
    }

    short u16(String what) {
        need(2, what);
        short v = data.get(I16, pos);
        pos += 2;
        return v;
    }

    int u32(String what) {
        need(4, what);
        int v = data.get(I32, pos);
        pos += 4;
        return v;
    }

    long u64(String what) {
        need(8, what);
        long v = data.get(I64, pos);
        pos += 8;
        return v;
    }

    /** A u64 count that must lie in [0, max]. */
    long count(String what, long max) {
        long n = u64(what);
        if (n < 0 || n > max) {
            throw new ModelFormatException(file, what + " is " + Long.toUnsignedString(n) + ", above the limit of " + max);
        }
        return n;
    }

    String string(String what) {
        long len = u64("length of " + what);
        if (len < 0 || len > limits.maxStringBytes()) {
            throw new ModelFormatException(file, "length of " + what + " is " + Long.toUnsignedString(len)
                    + " bytes, above the limit of " + limits.maxStringBytes());
        }
        need(len, what);
        byte[] bytes = new byte[(int) len];
        MemorySegment.copy(data, ValueLayout.JAVA_BYTE, pos, bytes, 0, (int) len);
        pos += len;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            // Tokens such as partial UTF-8 pieces exist in real vocabularies: keep them, replacing bad bytes.
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    void skipTo(long newPos) {
        if (newPos < pos || newPos > data.byteSize()) {
            throw new ModelFormatException(file, "file is truncated: expected data at offset " + newPos
                    + ", but the file has " + data.byteSize() + " bytes");
        }
        pos = newPos;
    }
}
