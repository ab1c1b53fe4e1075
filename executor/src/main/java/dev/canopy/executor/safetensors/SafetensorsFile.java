package dev.canopy.executor.safetensors;

import dev.canopy.executor.gguf.ModelFormatException;
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
import java.util.Map;

/**
 * A memory-mapped, validated safetensors file ({@code model.safetensors} or one shard of a
 * checkpoint). The header is checked as a whole when the file opens (see
 * {@link SafetensorsHeaderParser}); each tensor is then a zero-copy slice of the mapping.
 */
public final class SafetensorsFile implements AutoCloseable {

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final SafetensorsHeaderParser.Header header;

    private SafetensorsFile(Path path, Arena arena, MemorySegment mapping, SafetensorsHeaderParser.Header header) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.header = header;
    }

    /** Maps and validates {@code path} with the default limits. */
    public static SafetensorsFile open(Path path) {
        return open(path, SafetensorsLimits.DEFAULT);
    }

    /**
     * Maps and validates {@code path}.
     *
     * @throws ModelFormatException naming the file and the tensor or field when the file is missing or malformed
     */
    public static SafetensorsFile open(Path path, SafetensorsLimits limits) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment mapping = ch.size() == 0 ? MemorySegment.ofArray(new byte[0])
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new SafetensorsFile(path, arena, mapping, SafetensorsHeaderParser.parse(path, mapping, limits));
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

    /**
     * Validates a safetensors image already in memory (a fuzz test's input); {@code name} names it in
     * errors. The result does not own {@code data}.
     */
    public static SafetensorsFile read(Path name, MemorySegment data, SafetensorsLimits limits) {
        Arena arena = Arena.ofShared();
        try {
            return new SafetensorsFile(name, arena, data, SafetensorsHeaderParser.parse(name, data, limits));
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** The tensors by name, in header order. */
    public Map<String, SafetensorsTensorInfo> tensorInfos() {
        return Collections.unmodifiableMap(header.tensors());
    }

    /** The {@code __metadata__} strings. */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(header.metadata());
    }

    public boolean hasTensor(String name) {
        return header.tensors().containsKey(name);
    }

    /** The dtype and shape (outermost first) of tensor {@code name}, whatever its dtype (gpt-oss's U8 MXFP4 blocks). */
    public SafetensorsTensorInfo describe(String name) {
        return info(name);
    }

    /** The raw bytes of tensor {@code name}, a zero-copy slice of the mapping. */
    public MemorySegment bytes(String name) {
        SafetensorsTensorInfo info = info(name);
        return mapping.asSlice(header.dataOffset() + info.begin(), info.byteSize());
    }

    /**
     * Tensor {@code name} as Canopy computes with it, zero-copy: GGUF dimension order (innermost
     * first, so a {@code [rows, cols]} matrix has shape {@code [cols, rows]}).
     *
     * @throws ModelFormatException when there is no such tensor or its dtype is not F32, F16 or BF16
     */
    public Tensor tensor(String name) {
        SafetensorsTensorInfo info = info(name);
        GgmlType type = info.dtype().ggmlType().orElseThrow(() -> new ModelFormatException(path, "tensor " + name
                + ": field dtype: expected F32, F16 or BF16 for model weights, found " + info.dtype()));
        long[] shape = info.shape();
        long[] ggufShape = new long[Math.max(1, shape.length)];
        ggufShape[0] = 1;
        for (int i = 0; i < shape.length; i++) {
            ggufShape[i] = shape[shape.length - 1 - i];
        }
        return new Tensor(name, type, ggufShape, bytes(name));
    }

    private SafetensorsTensorInfo info(String name) {
        SafetensorsTensorInfo info = header.tensors().get(name);
        if (info == null) {
            throw new ModelFormatException(path, "missing tensor " + name);
        }
        return info;
    }

    /** Unmaps the file; tensors obtained from it become invalid. */
    @Override
    public void close() {
        arena.close();
    }
}
