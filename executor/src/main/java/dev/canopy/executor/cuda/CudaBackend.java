package dev.canopy.executor.cuda;

import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.KvTransfer;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.ModelConfig;
import dev.canopy.executor.model.ModelWeights;
import java.lang.foreign.MemorySegment;
import java.util.BitSet;
import jcuda.driver.CUresult;

/**
 * The GPU backend: the same forward pass as the CPU's {@code Transformer}, step by step, with the
 * weights (in their file's quantization) and the paged KV cache in GPU memory. Each kernel reduces in
 * a fixed order per row, so a row's logits do not depend on which rows share its step. Logits are
 * copied back to the host for sampling.
 *
 * <p>KV blocks are swapped on a second stream ({@link KvCopyStream}): {@link #readBlockAsync} and
 * {@link #writeBlockAsync} return while the copy runs, ordered on the device after the steps queued before them;
 * a later step waits on the device for the writes in flight and for the reads of the blocks it writes. Steps
 * replayed as CUDA graphs wait the same way: the wait is queued on the stream before the graph's launch.
 *
 * <p>One step runs at a time ({@link #forward} is synchronized); any thread may call.
 */
public final class CudaBackend implements Backend {

    /** Device memory kept free beyond the estimate, for the module, the context and fragmentation. */
    static final long HEADROOM_BYTES = 256L << 20;
    /** Rows the activations are first sized for (they grow on demand). */
    static final int INITIAL_ROWS = 64;

    private final ModelConfig c;
    private final CudaContext context;
    private final CudaModule module;
    private final ForwardKernels kernels;
    private final DeviceModel weights;
    private final DeviceKvCache kv;
    private final KvCopyStream copies;
    private final StepBuffers step;
    private final StepGraphs graphs; // null: launch kernel by kernel
    private final int maxPositions;
    private final int maxGroupRows; // rows per shared-prefix group; 0: every row attends alone
    private long sharedPrefixSteps;  // steps run with shared-prefix groups

    /**
     * Uploads {@code model}'s weights to GPU {@code options.device()} and allocates its KV cache there.
     *
     * @throws CudaException if CUDA is unavailable (naming why), or the GPU lacks the memory (naming the
     *     bytes needed and free)
     * @throws IllegalArgumentException if a weight's type or a piece of the architecture has no CUDA kernel
     */
    public CudaBackend(Model model, CudaOptions options) {
        this(model.path().getFileName().toString(), model.config(), model.weights(), options);
    }

    /** As {@link #CudaBackend(Model, CudaOptions)}, from a config and weights; {@code label} names them in errors. */
    public CudaBackend(String label, ModelConfig config, ModelWeights modelWeights, CudaOptions options) {
        CudaArchSupport.require(label, config);
        this.c = config;
        this.context = CudaContext.open(options.device());
        CudaModule m = null;
        ForwardKernels fk = null;
        DeviceModel dm = null;
        DeviceKvCache cache = null;
        KvCopyStream copyStream = null;
        try {
            checkMemory(label, modelWeights, options);
            m = new CudaModule(context);
            fk = new ForwardKernels(context, m, options.checkEachKernel(), options.tensorCores());
            dm = DeviceModel.upload(context, config, modelWeights);
            cache = new DeviceKvCache(context, config, options.numBlocks(), options.blockSize());
            copyStream = new KvCopyStream(context, cache);
        } catch (RuntimeException e) {
            try {
                closeAll(copyStream, cache, dm, fk, m, context);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        this.module = m;
        this.kernels = fk;
        this.weights = dm;
        this.kv = cache;
        this.copies = copyStream;
        this.maxGroupRows = options.sharedPrefixAttention() ? ForwardKernels.maxGroupRows(config) : 0;
        this.step = new StepBuffers(context, config, maxGroupRows > 0);
        this.graphs = options.graphs() && !options.checkEachKernel() ? new StepGraphs(context) : null;
        this.maxPositions = kernels.maxAttentionPositions(config.headDim());
    }

    /** Whether the CUDA backend can run here, and if not why. Never throws. */
    public static CudaAvailability availability() {
        return CudaAvailability.detect();
    }

    /** Whether the CUDA backend can run here. */
    public static boolean isAvailable() {
        return availability().available();
    }

    private void checkMemory(String label, ModelWeights w, CudaOptions o) {
        long weightBytes = DeviceModel.deviceBytes(c, w);
        long kvBytes = DeviceKvCache.bytes(c, o.numBlocks(), o.blockSize());
        long activationBytes = StepBuffers.deviceBytes(c, INITIAL_ROWS, INITIAL_ROWS, o.sharedPrefixAttention());
        long needed = weightBytes + kvBytes + activationBytes + HEADROOM_BYTES;
        MemoryInfo mem = context.memory();
        if (needed > mem.freeBytes()) {
            throw new CudaException("Cannot load model " + label + " onto cuda:" + o.device() + ": it needs " + needed
                    + " bytes (weights " + weightBytes + ", KV cache " + kvBytes + ", activations " + activationBytes
                    + ", headroom " + HEADROOM_BYTES + ") but only " + mem.freeBytes() + " of " + mem.totalBytes()
                    + " bytes are free", CUresult.CUDA_ERROR_OUT_OF_MEMORY);
        }
    }

    @Override
    public String name() {
        return "cuda:" + context.info().ordinal();
    }

    /** The GPU this backend runs on. */
    public DeviceInfo device() {
        return context.info();
    }

    @Override
    public synchronized float[] forward(ForwardBatch batch) {
        StepInputs in = StepInputs.of(batch, c.vocab(), kv.numBlocks(), kv.blockSize(), maxPositions, maxGroupRows);
        int n = in.rows();
        int m = in.logitRows();
        if (n == 0) {
            return new float[0];
        }
        context.makeCurrent();
        if (in.groups() > 0) {
            sharedPrefixSteps++;
        }
        int generation = step.generation();
        step.ensure(n, m, in.ints().length);
        StepLayout s = step.upload(in);
        copies.orderBefore(writtenBlocks(batch)::get);
        if (graphs == null) {
            enqueue(s, n, m);
        } else {
            if (step.generation() != generation) {
                graphs.clear(); // their buffers were just freed
            }
            StepGraphs.Key key = new StepGraphs.Key(n, m, kernels.attentionPositions(in.maxPosition(), c.headDim()),
                    in.groups() > 0, step.generation());
            graphs.run(key, () -> enqueue(s, n, m));
        }
        return step.downloadLogits(m * c.vocab());
    }

    /** The KV blocks {@code batch} writes: those of its rows' positions. */
    private BitSet writtenBlocks(ForwardBatch batch) {
        BitSet written = new BitSet(kv.numBlocks());
        for (int r = 0; r < batch.rows(); r++) {
            written.set(batch.blockTables()[batch.rowSequence()[r]][batch.positions()[r] / kv.blockSize()]);
        }
        return written;
    }

    /** Queues the kernels of one step (the steps of {@code Transformer.forward}) on the stream. */
    private void enqueue(StepLayout s, int n, int m) {
        int dim = c.dim();
        kernels.embed(weights.embedding, s.tokens(), step.x.address(), n);
        for (int l = 0; l < c.layers(); l++) {
            DeviceModel.Layer lw = weights.layers.get(l);
            kernels.rmsNorm(step.x.address(), 0, lw.attnNorm().address(), step.xb.address(), n, dim, c.rmsEps());
            kernels.matmulQkv(lw.wq(), lw.wk(), lw.wv(), step.xb.address(), n, step.q.address(), step.k.address(),
                    step.v.address());
            if (lw.bias().isPresent()) {
                kernels.addBias(step.q.address(), lw.bias().get().q().address(), n, c.qDim());
                kernels.addBias(step.k.address(), lw.bias().get().k().address(), n, c.kvDim());
                kernels.addBias(step.v.address(), lw.bias().get().v().address(), n, c.kvDim());
            }
            kernels.ropeStore(c, s, step.q.address(), step.k.address(), step.v.address(), weights.ropeFreqs.address(),
                    kv.keys(l), kv.values(l), kv.blockSize());
            if (s.inputs().groups() > 0) {
                kernels.attentionPrefix(c, s, step.q.address(), kv.keys(l), kv.values(l), step.partials.address(),
                        kv.blockSize());
            }
            kernels.attention(c, s, step.q.address(), kv.keys(l), kv.values(l), step.att.address(), kv.blockSize(),
                    step.partials.address());
            kernels.matmulAdd(lw.wo(), step.att.address(), n, step.x.address());        // x += wo att

            kernels.rmsNorm(step.x.address(), 0, lw.ffnNorm().address(), step.xb.address(), n, dim, c.rmsEps());
            kernels.swiglu(lw.gate(), lw.up(), step.xb.address(), n, step.gate.address(), step.up.address());
            kernels.matmulAdd(lw.down(), step.gate.address(), n, step.x.address());     // x += down h
        }
        if (m > 0) {
            kernels.rmsNorm(step.x.address(), s.logitRows(), weights.outputNorm.address(), step.normed.address(), m,
                    dim, c.rmsEps());
            kernels.matmul(weights.output, step.normed.address(), m, step.logits.address());
        }
    }

    @Override
    public synchronized void copyBlock(int src, int dst) {
        context.makeCurrent();
        copies.orderBefore(written -> written == dst);
        kv.copyBlock(src, dst);
    }

    /** Copies block {@code block} out, waiting for the copy; never declines (the GPU cache is F32). */
    @Override
    public boolean readBlock(int block, MemorySegment payload) {
        readBlockAsync(block, payload).await();
        return true;
    }

    /**
     * Starts copying block {@code block} to the host on the copy stream, after the steps queued so far; never
     * declined. A later step that writes the block waits (on the device) for the copy.
     */
    @Override
    public synchronized KvTransfer readBlockAsync(int block, MemorySegment payload) {
        context.makeCurrent();
        return copies.read(block, payload);
    }

    /**
     * Takes {@code payload} into page-locked staging and starts copying it into block {@code block} on the copy
     * stream; every later step and block copy waits (on the device) for it.
     */
    @Override
    public synchronized KvTransfer writeBlockAsync(int block, MemorySegment payload) {
        context.makeCurrent();
        return copies.write(block, payload);
    }

    @Override
    public long blockBytes() {
        return KvCacheType.F32.blockBytes(c, kv.blockSize());
    }

    /** Always {@link KvCacheType#F32}: the GPU cache is not quantized. */
    @Override
    public KvCacheType kvType() {
        return KvCacheType.F32;
    }

    /** Copies {@code payload} into block {@code block}, waiting for the copy. */
    @Override
    public void writeBlock(int block, MemorySegment payload) {
        writeBlockAsync(block, payload).await();
    }

    @Override
    public int numBlocks() {
        return kv.numBlocks();
    }

    @Override
    public int blockSize() {
        return kv.blockSize();
    }

    /** Steps that attended in shared-prefix groups so far (0 unless {@link CudaOptions#sharedPrefixAttention()}). */
    public synchronized long sharedPrefixSteps() {
        return sharedPrefixSteps;
    }

    /**
     * Times every kernel of the steps that follow in {@code profile} (null: stops timing). Kernels launched one by
     * one only: a backend that replays CUDA graphs refuses.
     */
    synchronized void profile(KernelProfile profile) {
        if (graphs != null && profile != null) {
            throw new IllegalStateException("Cannot time the kernels of " + name() + ": it replays CUDA graphs; open it "
                    + "with CudaOptions.withGraphs(false)");
        }
        kernels.profile(profile);
    }

    /** CUDA graphs recorded so far (0 with graphs off). */
    int capturedGraphs() {
        return graphs == null ? 0 : graphs.size();
    }

    /** Positions (exclusive) a sequence may reach on this GPU: the attention kernel keeps scores in shared memory. */
    public int maxPositions() {
        return maxPositions;
    }

    @Override
    public synchronized void close() {
        context.makeCurrent();
        context.synchronize("finish the GPU work before closing " + name());
        closeAll(copies, graphs, step, kv, weights, kernels, module, context);
    }

    /** Closes every resource (nulls skipped), then throws the first failure, if any. */
    private static void closeAll(AutoCloseable... resources) {
        RuntimeException first = null;
        for (AutoCloseable r : resources) {
            if (r == null) {
                continue;
            }
            try {
                r.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof RuntimeException re ? re : new CudaException(e.getMessage(), 0);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
