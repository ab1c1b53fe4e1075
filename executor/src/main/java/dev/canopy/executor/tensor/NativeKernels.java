package dev.canopy.executor.tensor;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Optional;

/**
 * The C kernel library ({@code src/main/c/canopy_kernels.c}), built by Maven into the jar as
 * {@code native/linux-x86_64/} and {@code native/linux-aarch64/libcanopykernels.so}. On first use it is copied from the class path to a temporary file, loaded
 * and the file deleted again. Calls are "critical" downcalls, so Java arrays are passed without
 * copies. Where the library is missing (no gcc at build time, another OS or CPU) {@link #load()} is
 * empty and {@link #loadFailure()} says why.
 */
final class NativeKernels {

    /** linux-x86_64 or linux-aarch64: the platforms the build makes a library for. */
    static final String PLATFORM = "linux-" + (System.getProperty("os.arch", "").equals("aarch64") ? "aarch64" : "x86_64");
    static final String RESOURCE = "/native/" + PLATFORM + "/libcanopykernels.so";

    private static final MethodHandle DETECT_LEVEL;
    private static final MethodHandle ACT_BYTES;
    private static final MethodHandle QUANTIZE;
    private static final MethodHandle MATMUL_QUANT;
    private static final MethodHandle MATMUL_FLOAT;
    private static final MethodHandle ACT_GROUP;
    private static final MethodHandle PACKED_BYTES;
    private static final MethodHandle PACK;
    private static final MethodHandle MATMUL_PACKED;
    private static final MethodHandle ATTEND;
    private static final String FAILURE;
    private static final NativeKernels INSTANCE;

    static {
        MethodHandle[] handles = new MethodHandle[10];
        String failure = null;
        try {
            SymbolLookup lib = extractAndLoad();
            Linker linker = Linker.nativeLinker();
            Linker.Option critical = Linker.Option.critical(true);
            handles[0] = linker.downcallHandle(find(lib, "canopy_detect_level"), FunctionDescriptor.of(JAVA_INT));
            handles[1] = linker.downcallHandle(find(lib, "canopy_act_bytes"),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT), critical);
            handles[2] = linker.downcallHandle(find(lib, "canopy_quantize_grouped"),
                    FunctionDescriptor.ofVoid(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), critical);
            handles[3] = linker.downcallHandle(find(lib, "canopy_matmul_quant"), FunctionDescriptor.of(JAVA_INT,
                    JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT,
                    JAVA_INT), critical);
            handles[4] = linker.downcallHandle(find(lib, "canopy_matmul_float"), FunctionDescriptor.of(JAVA_INT,
                    JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG,
                    JAVA_INT, JAVA_INT), critical);
            handles[5] = linker.downcallHandle(find(lib, "canopy_act_group"), FunctionDescriptor.of(JAVA_INT, JAVA_INT),
                    critical);
            handles[6] = linker.downcallHandle(find(lib, "canopy_packed_bytes"),
                    FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), critical);
            handles[7] = linker.downcallHandle(find(lib, "canopy_pack"), FunctionDescriptor.of(JAVA_INT, JAVA_INT,
                    JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), critical);
            handles[8] = linker.downcallHandle(find(lib, "canopy_matmul_packed"), FunctionDescriptor.of(JAVA_INT,
                    JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT,
                    JAVA_INT), critical);
            handles[9] = linker.downcallHandle(find(lib, "canopy_attend"), FunctionDescriptor.of(JAVA_INT, JAVA_INT,
                    JAVA_INT, JAVA_INT, JAVA_FLOAT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
                    ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), critical);
        } catch (IOException | RuntimeException | LinkageError e) {
            failure = e.getMessage() != null ? e.getMessage() : e.toString();
        }
        DETECT_LEVEL = handles[0];
        ACT_BYTES = handles[1];
        QUANTIZE = handles[2];
        MATMUL_QUANT = handles[3];
        MATMUL_FLOAT = handles[4];
        ACT_GROUP = handles[5];
        PACKED_BYTES = handles[6];
        PACK = handles[7];
        MATMUL_PACKED = handles[8];
        ATTEND = handles[9];
        FAILURE = failure;
        INSTANCE = failure == null ? new NativeKernels() : null;
    }

    /** GGML type ids below this have their {@link #actGroup} read once, at load (every type Canopy reads is). */
    private static final int CACHED_TYPE_IDS = 64;

    private final int level;
    private final int[] actGroups; // (CACHED_TYPE_IDS): canopy_act_group of each type id, a constant of the library

    private NativeKernels() {
        try {
            level = (int) DETECT_LEVEL.invokeExact();
            actGroups = new int[CACHED_TYPE_IDS];
            for (int type = 0; type < CACHED_TYPE_IDS; type++) {
                actGroups[type] = (int) ACT_GROUP.invokeExact(type);
            }
        } catch (Throwable t) {
            throw new IllegalStateException("Cannot query the native kernels' CPU level and activation groups", t);
        }
    }

    /** The library, if it loaded on this machine. */
    static Optional<NativeKernels> load() {
        return Optional.ofNullable(INSTANCE);
    }

    /** Why the library did not load (empty message if it did). */
    static String loadFailure() {
        return FAILURE == null ? "" : FAILURE;
    }

    /** The best code path this CPU runs: 2 = AVX-512 VNNI, 1 = AVX2, 0 = portable C (aarch64: NEON). */
    int level() {
        return level;
    }

    /** Bytes {@link #quantize} writes for {@code batch} rows of {@code cols} values. */
    long actBytes(int cols, int batch) {
        try {
            return (long) ACT_BYTES.invokeExact(cols, batch);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Blocks of 32 values per activation scale that {@link #matmulQuant} expects for weight type id {@code type}:
     * 8 (one scale per 256 values) for the K-quants, whose kernels multiply in integers per super-block; else 1.
     */
    int actGroup(int type) {
        if (type >= 0 && type < CACHED_TYPE_IDS) {
            return actGroups[type]; // matmuls ask on every call: no downcall on the hot path
        }
        try {
            return (int) ACT_GROUP.invokeExact(type);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Quantizes {@code batch} rows of {@code x} (from float offset {@code xOffset}) into {@code act} with one
     * scale per {@code group} blocks of 32 (layout in canopy_quantize_grouped); the bytes are the same at every level.
     */
    void quantize(int level, MemorySegment x, long xOffset, int cols, int batch, int group, MemorySegment act) {
        try {
            QUANTIZE.invokeExact(level, x, xOffset, cols, batch, group, act);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Rows {@code [rowStart, rowEnd)} of a quantized matrix times activations quantized with
     * {@link #actGroup}{@code (type)} blocks per scale.
     */
    void matmulQuant(int level, int type, MemorySegment w, int rows, int cols, MemorySegment act, int batch,
            MemorySegment out, long outOffset, int rowStart, int rowEnd) {
        int rc;
        try {
            rc = (int) MATMUL_QUANT.invokeExact(level, type, w, rows, cols, act, batch, out, outOffset, rowStart, rowEnd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        checkResult(rc, type);
    }

    /**
     * Bytes of a {@code rows × cols} matrix of type id {@code type} packed for {@code level} ({@link #pack}), or 0
     * when that level multiplies the type in its GGUF layout ({@link #matmulQuant}). Today Q4_K and Q5_K (AVX2, AVX-512)
     * and Q6_K (AVX2) on x86: tiles of 8 rows whose levels decode reads already interleaved (canopy_kernels.c,
     * kernels_kquant_packed_avx2.h).
     */
    long packedBytes(int level, int type, int rows, int cols) {
        try {
            return (long) PACKED_BYTES.invokeExact(level, type, rows, cols);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Packs rows {@code [rowStart, rowEnd)} of {@code w} (GGUF layout) into {@code packed} ({@link #packedBytes}
     * long), by whole tiles of 8 rows ({@code rowStart} a multiple of 8); disjoint ranges may run concurrently.
     */
    void pack(int level, int type, MemorySegment w, int rows, int cols, MemorySegment packed, int rowStart,
            int rowEnd) {
        int rc;
        try {
            rc = (int) PACK.invokeExact(level, type, w, rows, cols, packed, rowStart, rowEnd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        checkResult(rc, type);
    }

    /**
     * {@link #matmulQuant}'s product, bit for bit, from weights {@link #pack packed} for {@code level};
     * {@code rowStart} a multiple of 8.
     */
    void matmulPacked(int level, int type, MemorySegment packed, int rows, int cols, MemorySegment act, int batch,
            MemorySegment out, long outOffset, int rowStart, int rowEnd) {
        int rc;
        try {
            rc = (int) MATMUL_PACKED.invokeExact(level, type, packed, rows, cols, act, batch, out, outOffset, rowStart,
                    rowEnd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        checkResult(rc, type);
    }

    /** Rows {@code [rowStart, rowEnd)} of an F32/F16/BF16 matrix times float activations. */
    void matmulFloat(int level, int type, MemorySegment w, int rows, int cols, MemorySegment x, long xOffset, int batch,
            MemorySegment out, long outOffset, int rowStart, int rowEnd) {
        int rc;
        try {
            rc = (int) MATMUL_FLOAT.invokeExact(level, type, w, rows, cols, x, xOffset, batch, out, outOffset, rowStart,
                    rowEnd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        checkResult(rc, type);
    }

    /**
     * Causal attention of query heads {@code [headFrom, headTo)} for a group of query rows over an F32 paged KV
     * cache, at lane width {@code lanes} (canopy_attend; {@link NativeAttention} says what each argument holds).
     */
    void attend(int level, int lanes, int headDim, float scale, MemorySegment q, MemorySegment qBase,
                MemorySegment lastPos, int g, MemorySegment tables, MemorySegment tableStart, MemorySegment keys,
                MemorySegment values, int kvDim, int blockSize, int headFrom, int headTo, int groupSize, int window,
                MemorySegment sinks, MemorySegment out) {
        int rc;
        try {
            rc = (int) ATTEND.invokeExact(level, lanes, headDim, scale, q, qBase, lastPos, g, tables, tableStart, keys,
                    values, kvDim, blockSize, headFrom, headTo, groupSize, window, sinks, out);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (rc == -2) {
            throw new OutOfMemoryError("Cannot attend in the native kernels: no native memory for the running softmax "
                    + "state of " + g + " queries x " + (headTo - headFrom) + " heads of " + headDim);
        }
        if (rc != 0) {
            throw new IllegalArgumentException("Cannot attend in the native kernels at " + lanes + " lanes with heads of "
                    + headDim + ": the lane width must be 1, 8 or 16 and divide the head size");
        }
    }

    private static void checkResult(int rc, int type) {
        if (rc == -2) {
            throw new OutOfMemoryError("Cannot multiply in the native kernels: no native memory for the activation "
                    + "block sums of type id " + type);
        }
        if (rc == -3) {
            throw new IllegalArgumentException("Cannot multiply type id " + type + " in the native kernels: its "
                    + "activations must have one scale per 256 values; quantize them with actGroup(type) blocks per scale");
        }
        if (rc == -4) {
            throw new IllegalArgumentException("Cannot multiply packed weights of type id " + type + " from a row that "
                    + "does not start a tile of 8 rows");
        }
        if (rc != 0) {
            throw new IllegalArgumentException("Cannot multiply in the native kernels: type id " + type + " is not supported");
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new IllegalStateException(
                "Cannot load the native kernels: symbol " + name + " is missing from " + RESOURCE));
    }

    private static SymbolLookup extractAndLoad() throws IOException {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            throw new IllegalStateException("Cannot load the native kernels: they are built for linux-x86_64 and "
                    + "linux-aarch64, this is " + os + "-" + arch);
        }
        try (InputStream in = NativeKernels.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("Cannot load the native kernels: " + RESOURCE
                        + " is not on the class path (built without gcc?)");
            }
            Path file = Files.createTempFile("canopykernels", ".so");
            try {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                return SymbolLookup.libraryLookup(file, Arena.global());
            } finally {
                Files.deleteIfExists(file); // the loaded mapping stays valid
            }
        }
    }
}
