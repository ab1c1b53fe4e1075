package dev.canopy.executor.model;

import dev.canopy.executor.kv.F32KvStorage;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.kv.KvStorage;
import dev.canopy.executor.tensor.KernelChoice;
import dev.canopy.executor.tensor.MatMul;
import dev.canopy.executor.tensor.Parallel;
import java.lang.foreign.MemorySegment;

/** The CPU backend: the Vector API / native-kernel {@link Transformer} over a heap {@link KvStorage} of any {@link KvCacheType}. */
public final class CpuBackend implements Backend {

    private final Parallel parallel;
    private final KvStorage kv;
    private final Transformer transformer;
    private final KernelChoice kernels;
    private final MatMul matmul;

    /**
     * @param threads   kernel threads
     * @param kernels   which matmul kernels
     * @param numBlocks KV blocks to allocate
     * @param blockSize tokens per block
     */
    public CpuBackend(Model model, int threads, KernelChoice kernels, int numBlocks, int blockSize) {
        this(model, threads, kernels, numBlocks, blockSize, KvCacheType.F32);
    }

    /**
     * A backend whose KV cache stores keys and values as {@code kvType} says.
     *
     * @param threads   kernel threads
     * @param kernels   which matmul kernels
     * @param numBlocks KV blocks to allocate
     * @param blockSize tokens per block
     * @param kvType    how the KV cache stores keys and values
     */
    public CpuBackend(Model model, int threads, KernelChoice kernels, int numBlocks, int blockSize,
                      KvCacheType kvType) {
        this(model, threads, kernels, KvStorage.open(model.config(), kvType, numBlocks, blockSize));
    }

    private CpuBackend(Model model, int threads, KernelChoice kernels, KvStorage kv) {
        this.kv = kv;
        this.parallel = new Parallel(threads);
        this.matmul = new MatMul(parallel, kernels);
        this.kernels = matmul.backend();
        this.transformer = new Transformer(model.config(), model.weights(), matmul, parallel);
    }

    /**
     * A backend with an F32 KV cache whose sliding-window layers keep {@code numLocalBlocks} blocks of their own pool
     * beside the {@code numBlocks} of the global layers: the storage a {@link dev.canopy.executor.kv.WindowedBlocks}
     * hands out. Batches name the local blocks in {@link ForwardBatch#localBlockTables()}.
     *
     * @throws IllegalArgumentException when the model has no sliding-window layer
     */
    public static CpuBackend windowed(Model model, int threads, KernelChoice kernels, int numBlocks,
                                      int numLocalBlocks, int blockSize) {
        ModelConfig c = model.config();
        boolean[] local = new boolean[c.layers()]; // (layers) whether each layer attends over the window
        for (int l = 0; l < c.layers(); l++) {
            local[l] = c.features().isLocal(l);
        }
        if (c.features().window().isEmpty()) {
            throw new IllegalArgumentException("Cannot give sliding-window layers their own KV pool: "
                    + c.architecture() + " has no sliding-window layer; use the plain CpuBackend constructor");
        }
        return new CpuBackend(model, threads, kernels,
                KvStorage.openWindowed(c, numBlocks, numLocalBlocks, blockSize, local));
    }

    @Override
    public int numLocalBlocks() {
        return kv instanceof F32KvStorage f32 ? f32.numLocalBlocks() : 0;
    }

    /** Copies the local layers' KV of block {@code src} of their own pool into {@code dst} (copy-on-write). */
    @Override
    public void copyLocalBlock(int src, int dst) {
        if (!(kv instanceof F32KvStorage windowed) || windowed.numLocalBlocks() == 0) {
            throw new IllegalStateException("Cannot copy a local KV block: this backend's sliding-window layers have "
                    + "no pool of their own (open it with CpuBackend.windowed)");
        }
        windowed.copyLocalBlock(src, dst);
    }

    @Override
    public String name() {
        return "cpu";
    }

    /** The kernels in use: {@code NATIVE} or {@code JAVA}. */
    public KernelChoice kernels() {
        return kernels;
    }

    /** Where attention runs, e.g. "native AVX2, 8 lanes" or "Java Vector API, 16 lanes". */
    public String attentionPath() {
        return transformer.attentionPath(kv);
    }

    @Override
    public float[] forward(ForwardBatch batch) {
        return transformer.forward(batch, kv);
    }

    @Override
    public void copyBlock(int src, int dst) {
        kv.copyBlock(src, dst);
    }

    @Override
    public boolean readBlock(int block, MemorySegment payload) {
        return kv.readBlock(block, payload);
    }

    @Override
    public long blockBytes() {
        return kv.blockBytes();
    }

    @Override
    public KvCacheType kvType() {
        return kv.type();
    }

    @Override
    public void writeBlock(int block, MemorySegment payload) {
        kv.writeBlock(block, payload);
    }

    @Override
    public int numBlocks() {
        return kv.numBlocks();
    }

    @Override
    public int blockSize() {
        return kv.blockSize();
    }

    @Override
    public void close() {
        kv.close();
        matmul.close(); // its packed weights
        parallel.close();
    }
}
