package dev.canopy.executor.tensor;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Multiplies weight matrices by batches of activation rows: {@code out[b][r] = Σ_c W[r][c] · x[b][c]}.
 * This is where nearly all the time of a transformer forward goes.
 *
 * <p>Weights may be F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K or MXFP4, read in place
 * from their {@link Tensor#data()}. The {@link KernelChoice#NATIVE native} kernels multiply quantized
 * weights by activations that were first quantized to 8 bits per block of 32 (as llama.cpp does), with
 * integer dot products (AVX-512, AVX2 or portable C, whichever the CPU runs); float weights are
 * multiplied in float. The {@link KernelChoice#JAVA Java} kernels decode weights to
 * float and multiply in float.
 *
 * <p>Accuracy: float arithmetic gives |out − exact| ≤ cols·2⁻²³·Σ|w·x|. Quantizing the activations
 * (native Q8_0/Q4_0) rounds each value to a multiple of {@code dx = max|x_block|/127}, adding at most
 * Σ_blocks (dx/2)·Σ_block |w| (relative to the output, about 1/254 of the activation's block maximum
 * over its typical size; the same trade llama.cpp makes). Weights are used exactly as stored.
 *
 * <p>Reproducibility: for a given backend on a given machine, each output element is bit-for-bit the
 * same whatever the batch size, its position in the batch, the thread count or the partition.
 *
 * <p>Rows are split among the threads of the {@link Parallel} team. An instance keeps scratch space
 * between calls, so it must be used by one thread at a time. The native kernels keep Q4_K, Q5_K and Q6_K weights packed
 * 8 rows at a time on x86 (decode reads them already interleaved by row, about 1.6x faster on AVX2): a weight
 * tensor is packed the first time it is multiplied and kept, as many bytes again as its own, until {@link #close}
 * ({@link #packedWeightBytes}); a tensor's bytes must not change once it has been multiplied.
 */
public final class MatMul {

    private static final Set<GgmlType> SUPPORTED = Set.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0,
            GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.MXFP4);

    private static final String SUPPORTED_NAMES = "F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, MXFP4";

    private final Parallel parallel;
    private final KernelChoice backend;
    private final NativeMatMul nativeMatMul; // null for the Java backend

    /**
     * @param parallel the thread team that runs the rows
     * @param backend which kernels to use; {@link KernelChoice#AUTO} picks native where it loaded
     * @throws IllegalStateException if {@code NATIVE} is asked for and the native library is not available
     */
    public MatMul(Parallel parallel, KernelChoice backend) {
        this.parallel = Objects.requireNonNull(parallel, "parallel");
        Optional<NativeKernels> kernels = switch (Objects.requireNonNull(backend, "backend")) {
            case JAVA -> Optional.empty();
            case AUTO -> KernelPath.loadOrSayWhy();
            case NATIVE, NATIVE_AVX512, NATIVE_AVX2, NATIVE_C -> Optional.of(NativeKernels.load().orElseThrow(
                    () -> new IllegalStateException("Cannot use --kernels " + backend.cliName() + ": "
                            + NativeKernels.loadFailure())));
        };
        this.nativeMatMul = kernels.map(k -> new NativeMatMul(k, KernelPath.level(backend, k))).orElse(null);
        this.backend = nativeMatMul != null ? KernelChoice.NATIVE : KernelChoice.JAVA;
    }

    /** The code path this instance multiplies with, e.g. "native AVX2" or "Java Vector API (256-bit)". */
    public String kernelPath() {
        return nativeMatMul != null ? KernelPath.nativeName(nativeMatMul.level()) : KernelPath.javaName();
    }

    /** The native kernels' code level this instance multiplies at (0 portable C, 1 AVX2, 2 AVX-512), or -1 for Java. */
    int nativeLevel() {
        return nativeMatMul != null ? nativeMatMul.level() : -1;
    }

    /** Native kernels restricted to code level {@code level} (0 portable C, 1 AVX2, 2 AVX-512), for tests. */
    static MatMul nativeAtLevel(Parallel parallel, int level) {
        NativeKernels kernels = NativeKernels.load().orElseThrow(() -> new IllegalStateException(
                "Cannot use the native kernels: " + NativeKernels.loadFailure()));
        return new MatMul(parallel, new NativeMatMul(kernels, level));
    }

    private MatMul(Parallel parallel, NativeMatMul nativeMatMul) {
        this.parallel = parallel;
        this.nativeMatMul = nativeMatMul;
        this.backend = KernelChoice.NATIVE;
    }

    /**
     * Bytes of weights this instance keeps packed for its kernels (Q4_K, Q5_K, Q6_K on x86: see {@link NativeKernels#packedBytes}),
     * beside the model's own; 0 for the Java kernels.
     */
    public long packedWeightBytes() {
        return nativeMatMul != null ? nativeMatMul.packedBytes() : 0;
    }

    /**
     * Frees the weights this instance packed, now rather than when it becomes garbage (they can be gigabytes,
     * off-heap, which the garbage collector does not see); it must not multiply afterwards. The CPU backend calls it
     * when it closes.
     */
    public void close() {
        if (nativeMatMul != null) {
            nativeMatMul.close();
        }
    }

    /** The backend in use: {@code NATIVE} or {@code JAVA}, never {@code AUTO}. */
    public KernelChoice backend() {
        return backend;
    }

    /** The thread team this instance runs on. */
    public Parallel parallel() {
        return parallel;
    }

    /** {@code out[b*rows + r] = Σ_c W[r][c] · x[b*cols + c]} for b < batch, r < rows. */
    public void apply(Tensor w, float[] x, int batch, float[] out) {
        apply(w, x, 0, batch, out, 0);
    }

    /**
     * {@code out[outOffset + b*rows + r] = Σ_c W[r][c] · x[xOffset + b*cols + c]} for b < batch, r < rows,
     * where W is {@code w} seen as a {@code rows × cols} matrix ({@code cols = w.cols()}).
     *
     * @throws IllegalArgumentException if the weight type is not supported, or the tensor's data is
     *     shorter than its shape says
     * @throws IndexOutOfBoundsException if {@code x} or {@code out} is too short for the batch
     */
    public void apply(Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset) {
        check(w, x, xOffset, batch, out, outOffset);
        if (batch == 0 || w.rows() == 0) {
            return;
        }
        if (nativeMatMul != null) {
            nativeMatMul.apply(parallel, w, x, xOffset, batch, out, outOffset);
        } else {
            JavaMatMul.apply(parallel, w, x, xOffset, batch, out, outOffset);
        }
    }

    /**
     * {@code outs[m] = ws[m] · x} for every m: several weights that read the same activations (q/k/v,
     * gate/up), in one parallel region where the kernels allow it. Same results, bit for bit, as calling
     * {@link #apply(Tensor, float[], int, float[])} for each.
     */
    public void applyAll(Tensor[] ws, float[] x, int batch, float[][] outs) {
        for (int m = 0; m < ws.length; m++) {
            check(ws[m], x, 0, batch, outs[m], 0);
        }
        if (batch == 0) {
            return;
        }
        if (nativeMatMul != null && nativeMatMul.applyAll(parallel, ws, x, batch, outs)) {
            return;
        }
        for (int m = 0; m < ws.length; m++) {
            apply(ws[m], x, 0, batch, outs[m], 0);
        }
    }

    private static void check(Tensor w, float[] x, int xOffset, int batch, float[] out, int outOffset) {
        if (!SUPPORTED.contains(w.type())) {
            throw new IllegalArgumentException("Cannot multiply by " + w + ": type " + w.type()
                    + " is not supported (supported: " + SUPPORTED_NAMES + ")");
        }
        long needed = w.rowBytes() * w.rows();
        if (w.data().byteSize() < needed) {
            throw new IllegalArgumentException("Cannot multiply by " + w + ": its data has " + w.data().byteSize()
                    + " bytes, the shape needs " + needed);
        }
        if (batch < 0) {
            throw new IllegalArgumentException("Cannot multiply by " + w + ": batch " + batch + " is negative");
        }
        Objects.checkFromIndexSize(xOffset, (long) batch * w.cols() > Integer.MAX_VALUE ? -1 : batch * w.cols(), x.length);
        Objects.checkFromIndexSize(outOffset, (long) batch * w.rows() > Integer.MAX_VALUE ? -1 : batch * w.rows(), out.length);
    }
}
