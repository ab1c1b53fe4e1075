package dev.canopy.executor.gguf;

import dev.canopy.executor.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses and validates a GGUF header: magic, version, metadata, tensor table, data extents. */
final class GgufHeaderParser {

    private final Path path;
    private final GgufCursor in;
    private final GgufLimits limits;
    private long heapBytes;

    GgufHeaderParser(Path path, MemorySegment data, GgufLimits limits) {
        this.path = path;
        this.in = new GgufCursor(path, data, limits);
        this.limits = limits;
    }

    GgufFile.GgufHeader parse() {
        if (in.size() < 4) {
            throw new ModelFormatException(path, "not a GGUF file: expected the magic \"GGUF\", but the file has only "
                    + in.size() + " bytes");
        }
        int magic = in.u32("magic");
        if (magic != GgufFile.MAGIC) {
            throw new ModelFormatException(path, String.format(
                    "not a GGUF file: expected the magic \"GGUF\" (0x%08x), found 0x%08x", GgufFile.MAGIC, magic));
        }
        int version = in.u32("version");
        if (version != 2 && version != 3) {
            int swapped = Integer.reverseBytes(version);
            String hint = swapped == 2 || swapped == 3
                    ? " (this looks like a big-endian GGUF file, which Canopy cannot read)" : "";
            throw new ModelFormatException(path, "unsupported GGUF version " + Integer.toUnsignedString(version)
                    + "; expected 2 or 3" + hint);
        }
        long tensorCount = in.count("tensor count", limits.maxTensors());
        long kvCount = in.count("metadata entry count", limits.maxMetadataEntries());

        Map<String, GgufMetadata.Entry> entries = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = in.string("metadata key #" + i);
            charge(key.length() * 2L + 64, "metadata key " + key);
            int typeId = in.u32("type of metadata key " + key);
            GgufValueType type = GgufValueType.fromId(typeId).orElseThrow(() -> new ModelFormatException(path,
                    "metadata key " + key + " has unknown value type " + Integer.toUnsignedString(typeId)));
            Object value = readValue(type, key, 0);
            if (entries.put(key, new GgufMetadata.Entry(type, value)) != null) {
                throw new ModelFormatException(path, "duplicate metadata key " + key);
            }
        }
        GgufMetadata metadata = new GgufMetadata(path, entries);
        int alignment = alignment(metadata);

        LinkedHashMap<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
        for (long i = 0; i < tensorCount; i++) {
            GgufTensorInfo info = readTensorInfo(i, alignment);
            if (tensors.put(info.name(), info) != null) {
                throw new ModelFormatException(path, "duplicate tensor name " + info.name());
            }
        }
        long dataOffset = alignUp(in.position(), alignment);
        checkExtents(tensors, dataOffset);
        return new GgufFile.GgufHeader(version, metadata, tensors, dataOffset, alignment);
    }

    private int alignment(GgufMetadata metadata) {
        if (!metadata.has("general.alignment")) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        long a = metadata.getLong("general.alignment");
        if (a <= 0 || a > (1 << 20) || Long.bitCount(a) != 1) {
            throw new ModelFormatException(path, "key general.alignment: expected a power of two in [1, 2^20], found " + a);
        }
        return (int) a;
    }

    private Object readValue(GgufValueType type, String key, int depth) {
        return switch (type) {
            case UINT8, INT8 -> in.u8(key);
            case UINT16, INT16 -> in.u16(key);
            case UINT32, INT32 -> in.u32(key);
            case UINT64, INT64 -> in.u64(key);
            case FLOAT32 -> Float.intBitsToFloat(in.u32(key));
            case FLOAT64 -> Double.longBitsToDouble(in.u64(key));
            case BOOL -> {
                byte b = in.u8(key);
                if (b != 0 && b != 1) {
                    throw new ModelFormatException(path, "key " + key + ": expected a bool (0 or 1), found " + (b & 0xff));
                }
                yield b == 1;
            }
            case STRING -> {
                String s = in.string("value of key " + key);
                charge(s.length() * 2L + 48, "key " + key);
                yield s;
            }
            case ARRAY -> readArray(key, depth);
        };
    }

    private GgufArray readArray(String key, int depth) {
        if (depth >= 4) {
            throw new ModelFormatException(path, "key " + key + ": arrays nested deeper than 4 levels");
        }
        int typeId = in.u32("element type of key " + key);
        GgufValueType et = GgufValueType.fromId(typeId).orElseThrow(() -> new ModelFormatException(path,
                "key " + key + ": array has unknown element type " + Integer.toUnsignedString(typeId)));
        long n = in.count("length of array " + key, limits.maxArrayLength());
        int len = (int) n;
        // Before allocating: the file must hold at least the smallest encoding of n elements, so that a
        // short file cannot make the reader allocate for elements it does not contain.
        in.need(n * minimumFileBytes(et), "array " + key + " of " + n + " " + et + " elements");
        charge(n * elementHeapBytes(et), "array " + key);
        Object values = switch (et) {
            case UINT8, INT8 -> { byte[] a = new byte[len]; for (int i = 0; i < len; i++) a[i] = in.u8(key); yield a; }
            case UINT16, INT16 -> { short[] a = new short[len]; for (int i = 0; i < len; i++) a[i] = in.u16(key); yield a; }
            case UINT32, INT32 -> { int[] a = new int[len]; for (int i = 0; i < len; i++) a[i] = in.u32(key); yield a; }
            case UINT64, INT64 -> { long[] a = new long[len]; for (int i = 0; i < len; i++) a[i] = in.u64(key); yield a; }
            case FLOAT32 -> { float[] a = new float[len]; for (int i = 0; i < len; i++) a[i] = Float.intBitsToFloat(in.u32(key)); yield a; }
            case FLOAT64 -> { double[] a = new double[len]; for (int i = 0; i < len; i++) a[i] = Double.longBitsToDouble(in.u64(key)); yield a; }
            case BOOL -> { boolean[] a = new boolean[len]; for (int i = 0; i < len; i++) a[i] = in.u8(key) != 0; yield a; }
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) {
                    a[i] = in.string(key + "[" + i + "]");
                    charge(a[i].length() * 2L + 40, "array " + key);
                }
                yield a;
            }
            case ARRAY -> {
                GgufArray[] a = new GgufArray[len];
                for (int i = 0; i < len; i++) a[i] = readArray(key + "[" + i + "]", depth + 1);
                yield a;
            }
        };
        return new GgufArray(et, values);
    }

    /** The fewest bytes one element of type {@code t} takes in the file. */
    private static long minimumFileBytes(GgufValueType t) {
        return switch (t) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16 -> 2;
            case UINT32, INT32, FLOAT32 -> 4;
            case UINT64, INT64, FLOAT64 -> 8;
            case STRING -> 8; // the length; an empty string has no bytes after it
            case ARRAY -> 12; // element type and length of an empty array
        };
    }

    private static long elementHeapBytes(GgufValueType t) {
        return switch (t) {
            case UINT8, INT8, BOOL -> 1;
            case UINT16, INT16 -> 2;
            case UINT32, INT32, FLOAT32 -> 4;
            case UINT64, INT64, FLOAT64 -> 8;
            case STRING, ARRAY -> 8; // the reference; contents are charged as read
        };
    }

    private void charge(long bytes, String what) {
        heapBytes += bytes;
        if (bytes < 0 || heapBytes > limits.maxHeaderBytes()) {
            throw new ModelFormatException(path, "header too large: " + what + " brings it past the limit of "
                    + limits.maxHeaderBytes() + " bytes");
        }
    }

    private GgufTensorInfo readTensorInfo(long index, int alignment) {
        String name = in.string("name of tensor #" + index);
        charge(name.length() * 2L + 128, "tensor " + name);
        int nDims = in.u32("dimension count of tensor " + name);
        if (nDims < 1 || nDims > limits.maxDims()) {
            throw new ModelFormatException(path, "tensor " + name + " has " + Integer.toUnsignedString(nDims)
                    + " dimensions; expected 1 to " + limits.maxDims());
        }
        long[] shape = new long[nDims];
        long elements = 1;
        for (int d = 0; d < nDims; d++) {
            shape[d] = in.u64("dimension " + d + " of tensor " + name);
            if (shape[d] <= 0) {
                throw new ModelFormatException(path, "tensor " + name + " dimension " + d + " is "
                        + Long.toUnsignedString(shape[d]) + "; expected a positive size below 2^63");
            }
            try {
                elements = Math.multiplyExact(elements, shape[d]);
            } catch (ArithmeticException e) {
                throw new ModelFormatException(path, "tensor " + name + " has dimensions whose product overflows 64 bits");
            }
        }
        int typeId = in.u32("type of tensor " + name);
        GgmlType type = GgmlType.fromId(typeId).orElseThrow(() -> new ModelFormatException(path,
                "tensor " + name + " has unknown type id " + Integer.toUnsignedString(typeId)));
        if (shape[0] % type.blockSize() != 0) {
            throw new ModelFormatException(path, "tensor " + name + " of type " + type + " has rows of " + shape[0]
                    + " elements, which is not a multiple of its block size " + type.blockSize());
        }
        long offset = in.u64("data offset of tensor " + name);
        if (offset < 0 || offset % alignment != 0) {
            throw new ModelFormatException(path, "tensor " + name + " has data offset " + Long.toUnsignedString(offset)
                    + "; expected a non-negative multiple of the alignment " + alignment);
        }
        long bytes;
        try {
            bytes = type.byteSize(elements);
        } catch (ArithmeticException e) {
            throw new ModelFormatException(path, "tensor " + name + " byte size overflows 64 bits");
        }
        return new GgufTensorInfo(name, shape, type, offset, bytes);
    }

    private void checkExtents(Map<String, GgufTensorInfo> tensors, long dataOffset) {
        long available = in.size() - dataOffset;
        List<GgufTensorInfo> byOffset = new ArrayList<>(tensors.values());
        byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset));
        GgufTensorInfo previous = null;
        for (GgufTensorInfo t : byOffset) {
            long end = t.offset() + t.byteSize();
            if (end < 0 || t.offset() > available || end > available) {
                throw new ModelFormatException(path, "tensor " + t.name() + " (" + t.type() + ", " + t.byteSize()
                        + " bytes at data offset " + t.offset() + ") extends past the end of the file: the data section has "
                        + Math.max(0, available) + " bytes (file truncated?)");
            }
            if (previous != null && t.offset() < previous.offset() + previous.byteSize()) {
                throw new ModelFormatException(path, "tensors " + previous.name() + " and " + t.name() + " overlap");
            }
            previous = t;
        }
    }

    static long alignUp(long x, long a) {
        return (x + a - 1) / a * a;
    }
}
