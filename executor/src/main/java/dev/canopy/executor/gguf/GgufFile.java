package dev.canopy.executor.gguf;

import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An open GGUF file (spec versions 2 and 3): its metadata, its tensor table and its tensor data,
 * memory-mapped once. Each {@link Tensor} is a zero-copy slice of the mapping, valid until
 * {@link #close()}.
 *
 * <p>Everything read from the file is checked before use: counts and lengths against
 * {@link GgufLimits}, arithmetic for overflow, tensor extents against the end of the file and
 * against each other. Any problem is a {@link ModelFormatException} naming the file.
 */
public final class GgufFile implements AutoCloseable {

    /** "GGUF" read as a little-endian u32. */
    public static final int MAGIC = 0x46554747;
    public static final int DEFAULT_ALIGNMENT = 32;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensorInfo> tensorInfos;
    private final long dataOffset;
    private final int alignment;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, GgufHeader header) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = header.version();
        this.metadata = header.metadata();
        this.tensorInfos = Collections.unmodifiableMap(header.tensors());
        this.dataOffset = header.dataOffset();
        this.alignment = header.alignment();
    }

    /** Opens and validates {@code path} with the default limits. */
    public static GgufFile open(Path path) {
        return open(path, GgufLimits.DEFAULT);
    }

    /**
     * Reads and validates a GGUF image already in memory (bytes received some other way, a fuzz
     * test's input). {@code name} names it in errors. The result does not own {@code data}: closing it
     * leaves {@code data} alone, and its tensors are valid while {@code data} is.
     */
    public static GgufFile read(Path name, MemorySegment data, GgufLimits limits) {
        Arena arena = Arena.ofShared(); // owns nothing; closed by close() like a file's
        try {
            return new GgufFile(name, arena, data, GgufHeader.parse(name, data, limits));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Opens and validates {@code path}. */
    public static GgufFile open(Path path, GgufLimits limits) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapping = ch.size() == 0 ? MemorySegment.ofArray(new byte[0])
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            GgufHeader header = GgufHeader.parse(path, mapping, limits);
            return new GgufFile(path, arena, mapping, header);
        } catch (NoSuchFileException e) {
            arena.close();
            throw new ModelFormatException(path, "file does not exist", e);
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(path, "cannot read the file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** The tensor table, in file order. */
    public Map<String, GgufTensorInfo> tensorInfos() {
        return tensorInfos;
    }

    /** Absolute file offset of the tensor data section. */
    public long dataOffset() {
        return dataOffset;
    }

    public int alignment() {
        return alignment;
    }

    /** Size of the file in bytes. */
    public long fileSize() {
        return mapping.byteSize();
    }

    public boolean hasTensor(String name) {
        return tensorInfos.containsKey(name);
    }

    /**
     * The tensor named {@code name}, as a zero-copy slice of the file.
     *
     * @throws ModelFormatException if there is no such tensor or Canopy cannot compute with its type
     */
    public Tensor tensor(String name) {
        GgufTensorInfo info = tensorInfos.get(name);
        if (info == null) {
            throw new ModelFormatException(path, "missing tensor " + name);
        }
        if (!info.type().supported()) {
            throw new ModelFormatException(path, "tensor " + name + " has type " + info.type()
                    + ", which Canopy does not support yet; supported types: " + supportedTypes());
        }
        MemorySegment slice = mapping.asSlice(dataOffset + info.offset(), info.byteSize());
        return new Tensor(name, info.type(), info.shape(), slice);
    }

    static String supportedTypes() {
        StringBuilder sb = new StringBuilder();
        for (GgmlType t : GgmlType.values()) {
            if (t.supported()) {
                sb.append(sb.isEmpty() ? "" : ", ").append(t);
            }
        }
        return sb.toString();
    }

    /** Unmaps the file; tensors obtained from it become invalid. */
    @Override
    public void close() {
        arena.close();
    }

    /** Mutable result of parsing, handed to the constructor. */
    record GgufHeader(int version, GgufMetadata metadata, LinkedHashMap<String, GgufTensorInfo> tensors,
                      long dataOffset, int alignment) {
        static GgufHeader parse(Path path, MemorySegment data, GgufLimits limits) {
            return new GgufHeaderParser(path, data, limits).parse();
        }
    }
}
