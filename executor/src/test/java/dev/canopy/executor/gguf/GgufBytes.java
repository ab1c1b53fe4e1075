package dev.canopy.executor.gguf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds GGUF bytes field by field, lies included, for tests of how the reader handles bad files. */
final class GgufBytes {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Magic, version and the two counts. */
    static GgufBytes header(int version, long tensorCount, long metadataCount) {
        return new GgufBytes().u32(GgufFile.MAGIC).u32(version).u64(tensorCount).u64(metadataCount);
    }

    GgufBytes u8(int v) {
        out.write(v);
        return this;
    }

    GgufBytes u32(int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (8 * i));
        }
        return this;
    }

    GgufBytes u64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    GgufBytes string(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        u64(utf8.length);
        out.writeBytes(utf8);
        return this;
    }

    /** A metadata entry: key, type id, then whatever the caller appends as the value. */
    GgufBytes key(String key, GgufValueType type) {
        return string(key).u32(type.id());
    }

    GgufBytes uint32Entry(String key, int value) {
        return key(key, GgufValueType.UINT32).u32(value);
    }

    /** A tensor table entry. */
    GgufBytes tensorInfo(String name, int typeId, long offset, long... shape) {
        string(name).u32(shape.length);
        for (long d : shape) {
            u64(d);
        }
        return u32(typeId).u64(offset);
    }

    GgufBytes zeros(long n) {
        for (long i = 0; i < n; i++) {
            out.write(0);
        }
        return this;
    }

    /** Zeros up to the next multiple of {@code alignment}. */
    GgufBytes padTo(int alignment) {
        return zeros(Math.floorMod(-out.size(), alignment));
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    Path writeTo(Path file) {
        try {
            return Files.write(file, out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
