package dev.canopy.executor.model;

import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.kv.KvStorage;
import dev.canopy.executor.tensor.KernelBackend;
import dev.canopy.executor.tensor.MatMul;
import dev.canopy.executor.tensor.Parallel;
import java.lang.foreign.MemorySegment;

/** The CPU backend: the Vector API / native-kernel {@link Transformer} over a heap {@link KvStorage} of any {@link KvCacheType}. */
public final class CpuBackend implements Backend {

    private final Parallel parallel;
    private final KvStorage kv;
    private final Transformer transformer;
    private final KernelBackend kernels;

    /**
     * @param threads   kernel threads
     * @param kernels   which matmul kernels
     * @param numBlocks KV blocks to allocate
     * @param blockSize tokens per block
     */
    public CpuBackend(Model model, int threads, KernelBackend kernels, int numBlocks, int blockSize) {
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
    public CpuBackend(Model model, int threads, KernelBackend kernels, int numBlocks, int blockSize,
                      KvCacheType kvType) {
        this.kv = KvStorage.open(model.config(), kvType, numBlocks, blockSize);
        this.parallel = new Parallel(threads);
        MatMul matmul = new MatMul(parallel, kernels);
        this.kernels = matmul.backend();
        this.transformer = new Transformer(model.config(), model.weights(), matmul, parallel);
    }

    @Override
    public String name() {
        return "cpu";
    }

    /** The kernels in use: {@code NATIVE} or {@code JAVA}. */
    public KernelBackend kernels() {
        return kernels;
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
        parallel.close();
    }
}
