package dev.canopy.executor.gguf;

import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a GGUF version 3 file: metadata in the order it was put, the tensor table in the order
 * tensors were added, then each tensor's data at an offset aligned to {@code general.alignment}
 * (32 unless that key is set), zero-padded, as llama.cpp writes them.
 *
 * <p>Collect metadata and tensors, then call {@link #write()} once. Tensor data is pulled from
 * each tensor's {@link GgufTensorData} only then, one tensor after the other, and streamed to disk,
 * so a model far larger than the heap (and past 2 GiB) can be written. The file appears under its
 * name only when complete: it is written next to it and moved into place.
 */
public final class GgufWriter {

    /** Longest tensor name llama.cpp accepts, in UTF-8 bytes ({@code GGML_MAX_NAME - 1}). */
    public static final int MAX_TENSOR_NAME_BYTES = 63;
    /** Most dimensions a tensor may have ({@code GGML_MAX_DIMS}). */
    public static final int MAX_DIMS = 4;

    private record PendingTensor(String name, GgmlType type, long[] shape, long byteSize, GgufTensorData data) {}

    private final Path path;
    private final Map<String, GgufMetadata.Entry> metadata = new LinkedHashMap<>();
    private final Map<String, PendingTensor> tensors = new LinkedHashMap<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;
    private boolean written;

    /** A writer that will create (or replace) {@code path}. Nothing touches the disk before {@link #write()}. */
    public GgufWriter(Path path) {
        this.path = path;
    }

    /**
     * Adds the metadata entry {@code key}. {@code value} is in the Java type {@link GgufMetadata}
     * reads it as: {@code Byte} for UINT8/INT8, {@code Short} for (U)INT16, {@code Integer} for
     * (U)INT32, {@code Long} for (U)INT64, {@code Float}, {@code Double}, {@code Boolean},
     * {@code String}, or a {@link GgufArray}.
     *
     * @throws IllegalArgumentException if the key is already set, or the value does not fit the type,
     *     or {@code general.alignment} is not a power of two in [1, 2^20]
     */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        checkNotWritten();
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("Cannot set metadata key: the key is empty");
        }
        if (metadata.containsKey(key)) {
            throw new IllegalArgumentException("Cannot set metadata key " + key + ": it is already set");
        }
        GgufValueCodec.check(key, type, value);
        if (key.equals("general.alignment")) {
            alignment = checkedAlignment(type, value);
        }
        metadata.put(key, new GgufMetadata.Entry(type, value));
        return this;
    }

    /** Adds a UINT8 entry (the byte's bits). */
    public GgufWriter putUint8(String key, byte value) { return put(key, GgufValueType.UINT8, value); }

    /** Adds an INT8 entry. */
    public GgufWriter putInt8(String key, byte value) { return put(key, GgufValueType.INT8, value); }

    /** Adds a UINT16 entry (the short's bits). */
    public GgufWriter putUint16(String key, short value) { return put(key, GgufValueType.UINT16, value); }

    /** Adds an INT16 entry. */
    public GgufWriter putInt16(String key, short value) { return put(key, GgufValueType.INT16, value); }

    /** Adds a UINT32 entry; {@code value}'s bits are written as they are (use {@code (int) 4_000_000_000L} past 2^31). */
    public GgufWriter putUint32(String key, int value) { return put(key, GgufValueType.UINT32, value); }

    /** Adds an INT32 entry. */
    public GgufWriter putInt32(String key, int value) { return put(key, GgufValueType.INT32, value); }

    /** Adds a UINT64 entry (the long's bits). */
    public GgufWriter putUint64(String key, long value) { return put(key, GgufValueType.UINT64, value); }

    /** Adds an INT64 entry. */
    public GgufWriter putInt64(String key, long value) { return put(key, GgufValueType.INT64, value); }

    /** Adds a FLOAT32 entry. */
    public GgufWriter putFloat32(String key, float value) { return put(key, GgufValueType.FLOAT32, value); }

    /** Adds a FLOAT64 entry. */
    public GgufWriter putFloat64(String key, double value) { return put(key, GgufValueType.FLOAT64, value); }

    /** Adds a BOOL entry. */
    public GgufWriter putBool(String key, boolean value) { return put(key, GgufValueType.BOOL, value); }

    /** Adds a STRING entry (written as UTF-8). */
    public GgufWriter putString(String key, String value) { return put(key, GgufValueType.STRING, value); }

    /** Adds an ARRAY entry; see {@link GgufArray} for the Java array each element type needs. */
    public GgufWriter putArray(String key, GgufArray value) { return put(key, GgufValueType.ARRAY, value); }

    /** Adds every entry of {@code source}, in its order (for copying a file's metadata). */
    public GgufWriter putAll(GgufMetadata source) {
        source.entries().forEach((key, entry) -> put(key, entry.type(), entry.value()));
        return this;
    }

    /**
     * Adds a tensor whose bytes {@code data} writes when the file is written.
     *
     * @param shape dimensions, innermost first (GGUF {@code ne} order); 1 to 4 positive sizes, the
     *     innermost a multiple of the type's block size
     * @throws IllegalArgumentException if the name is empty, too long or taken, or the shape is invalid
     */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, GgufTensorData data) {
        checkNotWritten();
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("Cannot add tensor: the name is empty");
        }
        int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes > MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException("Cannot add tensor " + name + ": its name has " + nameBytes
                    + " bytes, but GGUF readers accept at most " + MAX_TENSOR_NAME_BYTES);
        }
        if (tensors.containsKey(name)) {
            throw new IllegalArgumentException("Cannot add tensor " + name + ": a tensor of that name was already added");
        }
        long byteSize = byteSize(name, type, shape);
        tensors.put(name, new PendingTensor(name, type, shape.clone(), byteSize, data));
        return this;
    }

    /** Adds a tensor with the bytes of {@code bytes}. */
    public GgufWriter addTensor(String name, GgmlType type, long[] shape, byte[] bytes) {
        return addTensor(name, type, shape, GgufTensorData.of(bytes));
    }

    /** Adds a copy of {@code tensor}; its memory (e.g. its open file) must stay valid until {@link #write()}. */
    public GgufWriter addTensor(Tensor tensor) {
        return addTensor(tensor.name(), tensor.type(), tensor.shape(), GgufTensorData.of(tensor.data()));
    }

    /**
     * Writes the file, pulling each tensor's data in order. A writer writes once.
     *
     * @throws UncheckedIOException if the file cannot be written (the partial file is removed)
     * @throws IllegalStateException if a tensor's data source writes the wrong number of bytes
     */
    public void write() {
        checkNotWritten();
        written = true;
        Path partial = path.resolveSibling(path.getFileName() + ".partial");
        try {
            try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
                 GgufOutput out = new GgufOutput(channel)) {
                writeHeader(out);
                writeData(out);
            }
            moveIntoPlace(partial);
        } catch (IOException e) {
            deleteQuietly(partial);
            throw new UncheckedIOException("Cannot write GGUF file " + path + ": " + e, e);
        } catch (RuntimeException e) {
            deleteQuietly(partial);
            throw e;
        }
    }

    private void writeHeader(GgufOutput out) throws IOException {
        out.u32(GgufFile.MAGIC);
        out.u32(3);
        out.u64(tensors.size());
        out.u64(metadata.size());
        for (Map.Entry<String, GgufMetadata.Entry> e : metadata.entrySet()) {
            out.string(e.getKey());
            out.u32(e.getValue().type().id());
            GgufValueCodec.write(out, e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        for (PendingTensor t : tensors.values()) {
            out.string(t.name());
            out.u32(t.shape().length);
            for (long d : t.shape()) {
                out.u64(d);
            }
            out.u32(t.type().id());
            out.u64(offset);
            offset = GgufHeaderParser.alignUp(offset + t.byteSize(), alignment);
        }
        out.padTo(alignment);
    }

    private void writeData(GgufOutput out) throws IOException {
        for (PendingTensor t : tensors.values()) {
            GgufTensorSink sink = new GgufTensorSink(out, t.name(), t.byteSize());
            t.data().writeTo(sink);
            sink.checkComplete();
            out.padTo(alignment);
        }
    }

    private static long byteSize(String name, GgmlType type, long[] shape) {
        if (shape.length < 1 || shape.length > MAX_DIMS) {
            throw new IllegalArgumentException("Cannot add tensor " + name + ": it has " + shape.length
                    + " dimensions; expected 1 to " + MAX_DIMS);
        }
        long elements = 1;
        for (long d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("Cannot add tensor " + name + ": shape " + Arrays.toString(shape)
                        + " has a dimension that is not positive");
            }
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("Cannot add tensor " + name + ": shape " + Arrays.toString(shape)
                        + " has more than 2^63 elements", e);
            }
        }
        if (shape[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException("Cannot add tensor " + name + ": its rows have " + shape[0]
                    + " elements, not a multiple of the " + type + " block size " + type.blockSize());
        }
        try {
            return type.byteSize(elements);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("Cannot add tensor " + name + ": its size in bytes overflows 64 bits", e);
        }
    }

    private static int checkedAlignment(GgufValueType type, Object value) {
        if (!type.isInteger()) {
            throw new IllegalArgumentException("Cannot set metadata key general.alignment: expected an integer type "
                    + "(UINT32), got " + type);
        }
        long a = GgufMetadata.widen(type, value);
        if (a <= 0 || a > (1 << 20) || Long.bitCount(a) != 1) {
            throw new IllegalArgumentException("Cannot set metadata key general.alignment: expected a power of two in "
                    + "[1, 1048576], got " + a);
        }
        return (int) a;
    }

    private void checkNotWritten() {
        if (written) {
            throw new IllegalStateException("Cannot change or write GGUF file " + path + ": this writer already wrote it");
        }
    }

    private void moveIntoPlace(Path partial) throws IOException {
        try {
            Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(partial, path, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // The original failure is what the caller needs to see.
        }
    }
}
