package dev.canopy.executor.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@link MatMul} through the C kernels: rows are split among the threads in units of
 * {@value #ROW_UNIT}; for quantized weights the activations are quantized once per call, before the
 * parallel part, with the scales the weight type's kernels expect (one per 256 values for the K-quants,
 * else one per block of 32: {@link NativeKernels#actGroup}). Every supported type has C kernels at every level (AVX-512, AVX2, portable C). Keeps
 * the buffer of quantized activations between calls; callers take turns.
 *
 * <p>Weights whose type this level multiplies faster from a packed copy ({@link NativeKernels#packedBytes}: Q4_K,
 * Q5_K and Q6_K on x86, tiles of 8 rows interleaved for decode) are packed the first time they are multiplied, with
 * the thread team. The copy (off-heap, as many bytes as the weights) is kept until {@link #close}, or until this
 * instance is garbage where nobody closes it, keyed by the {@link Tensor} object: the model's tensors are the same
 * objects call after call and their bytes do not change. The packed kernels give the same outputs, bit for bit.
 * {@code -D}{@value #PACK_PROPERTY}{@code =false} keeps every weight in place (the memory-mapped file only, at the
 * GGUF-layout kernels' speed).
 */
final class NativeMatMul {

    /** System property that turns weight packing off ({@code false}); on by default. */
    static final String PACK_PROPERTY = "canopy.packWeights";
    private static final System.Logger LOG = System.getLogger(NativeMatMul.class.getName());
    private static final Cleaner CLEANER = Cleaner.create();

    private static final int ROW_UNIT = 16; // a multiple of the packed kernels' tile of 8 rows
    private static final Set<GgmlType> PACKABLE = Set.of(GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

    private final NativeKernels kernels;
    private final int level;
    private byte[] quantized = new byte[0]; // (batch, actBytes(cols, 1)), see canopy_quantize_grouped
    private final Arena packedArena = Arena.ofShared(); // the packed weights: closed by close(), or when unreachable
    private final Cleaner.Cleanable freePacked = CLEANER.register(this, packedArena::close);
    private final Map<Tensor, MemorySegment> packed = new IdentityHashMap<>(); // per weight tensor; null: in place
    private final boolean packing = !"false".equalsIgnoreCase(System.getProperty(PACK_PROPERTY, "true"));
    private long packedBytes;

    NativeMatMul(NativeKernels kernels, int level) {
        this.kernels = kernels;
        this.level = level;
    }

    int level() {
        return level;
    }

    /** Frees the packed weights now; this instance must not multiply afterwards. */
    synchronized void close() {
        packed.clear();
        packedBytes = 0;
        freePacked.clean();
    }

    /** Bytes of packed weights this instance holds. */
    synchronized long packedBytes() {
        return packedBytes;
    }

    /** {@code w} packed for this level (packing it on first use), or null when this level multiplies it in place. */
    private MemorySegment packed(Parallel parallel, Tensor w) {
        if (!packing || !PACKABLE.contains(w.type())) {
            return null;
        }
        MemorySegment p = packed.get(w);
        if (p != null || packed.containsKey(w)) {
            return p;
        }
        int rows = w.rows();
        int cols = w.cols();
        int type = w.type().id();
        long bytes = kernels.packedBytes(level, type, rows, cols);
        if (bytes > 0) {
            if (packedBytes == 0) {
                LOG.log(System.Logger.Level.INFO, "Packing K-quant weights 8 rows at a time for the "
                        + KernelPath.nativeName(level) + " kernels, once per tensor: as many bytes again as those "
                        + "weights, off-heap (-D" + PACK_PROPERTY + "=false keeps them in place, slower)");
            }
            MemorySegment into = packedArena.allocate(bytes, 64);
            MemorySegment from = w.data();
            parallel.forRange((rows + ROW_UNIT - 1) / ROW_UNIT, (start, end) -> kernels.pack(level, type, from, rows,
                    cols, into, start * ROW_UNIT, Math.min(rows, end * ROW_UNIT)));
            p = into;
            packedBytes += bytes;
        }
        packed.put(w, p);
        return p;
    }

    /** Rows [rowStart, rowEnd) of w (packed: its packed copy, or null) times the quantized activations. */
    private void multiply(Tensor w, MemorySegment packedW, MemorySegment act, int batch, MemorySegment out,
            long outOffset, int rowStart, int rowEnd) {
        int type = w.type().id();
        if (packedW != null) {
            kernels.matmulPacked(level, type, packedW, w.rows(), w.cols(), act, batch, out, outOffset, rowStart, rowEnd);
        } else {
            kernels.matmulQuant(level, type, w.data(), w.rows(), w.cols(), act, batch, out, outOffset, rowStart, rowEnd);
        }
    }

    /** Synchronized: concurrent callers would share the quantized-activation buffer. */
    synchronized void apply(Parallel parallel, Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset) {
        int rows = w.rows();
        int cols = w.cols();
        int type = w.type().id();
        MemorySegment weights = w.data();
        MemorySegment xs = MemorySegment.ofArray(x);
        MemorySegment os = MemorySegment.ofArray(out);
        int units = (rows + ROW_UNIT - 1) / ROW_UNIT;
        if (w.type().quantized()) {
            long bytes = kernels.actBytes(cols, batch);
            if (quantized.length < bytes) {
                quantized = new byte[Math.toIntExact(Math.max(bytes, quantized.length * 3L / 2))];
            }
            MemorySegment act = MemorySegment.ofArray(quantized);
            MemorySegment packedW = packed(parallel, w);
            kernels.quantize(level, xs, xOffset, cols, batch, kernels.actGroup(type), act);
            parallel.forRange(units, (start, end) -> multiply(w, packedW, act, batch, os, outOffset, start * ROW_UNIT,
                    Math.min(rows, end * ROW_UNIT)));
        } else {
            parallel.forRange(units, (start, end) -> kernels.matmulFloat(level, type, weights, rows, cols, xs, xOffset,
                    batch, os, outOffset, start * ROW_UNIT, Math.min(rows, end * ROW_UNIT)));
        }
    }

    /**
     * Several quantized matrices of one type and width times the same activations, in one parallel
     * region: the activations are quantized once and the row units of all matrices are shared out
     * together. Each output row is computed exactly as {@link #apply} computes it (same kernel, same
     * 16-row-aligned ranges), so results are bit-identical to separate calls.
     *
     * @return false when the matrices do not qualify (the caller then multiplies them one by one)
     */
    synchronized boolean applyAll(Parallel parallel, Tensor[] ws, float[] x, int batch, float[][] outs) {
        GgmlType t = ws[0].type();
        int cols = ws[0].cols();
        if (!t.quantized()) {
            return false;
        }
        int[] firstUnit = new int[ws.length + 1]; // (matrices + 1) prefix sums of row units
        for (int m = 0; m < ws.length; m++) {
            if (ws[m].type() != t || ws[m].cols() != cols) {
                return false;
            }
            firstUnit[m + 1] = firstUnit[m] + (ws[m].rows() + ROW_UNIT - 1) / ROW_UNIT;
        }
        long bytes = kernels.actBytes(cols, batch);
        if (quantized.length < bytes) {
            quantized = new byte[Math.toIntExact(Math.max(bytes, quantized.length * 3L / 2))];
        }
        MemorySegment act = MemorySegment.ofArray(quantized);
        int type = t.id();
        kernels.quantize(level, MemorySegment.ofArray(x), 0, cols, batch, kernels.actGroup(type), act);
        MemorySegment[] os = new MemorySegment[ws.length];
        MemorySegment[] packedWs = new MemorySegment[ws.length];
        for (int m = 0; m < ws.length; m++) {
            os[m] = MemorySegment.ofArray(outs[m]);
            packedWs[m] = packed(parallel, ws[m]);
        }
        parallel.forRange(firstUnit[ws.length], (start, end) -> {
            for (int m = 0; m < ws.length; m++) {
                int from = Math.max(start, firstUnit[m]);
                int to = Math.min(end, firstUnit[m + 1]);
                if (from < to) {
                    multiply(ws[m], packedWs[m], act, batch, os[m], 0, (from - firstUnit[m]) * ROW_UNIT,
                            Math.min(ws[m].rows(), (to - firstUnit[m]) * ROW_UNIT));
                }
            }
        });
        return true;
    }
}
