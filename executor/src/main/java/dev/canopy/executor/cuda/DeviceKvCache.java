package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

import dev.canopy.executor.model.ModelConfig;
import jcuda.Pointer;
import jcuda.driver.CUstream;

/**
 * The paged KV cache in GPU memory, laid out like the CPU's {@code F32KvStorage}: per layer, keys and
 * values of {@code numBlocks * blockSize} token slots of {@code kvDim} floats each. Position {@code p}
 * of a sequence is slot {@code table[p / blockSize] * blockSize + p % blockSize}. One allocation:
 * layer l's keys at {@code (2l) * layerBytes}, its values at {@code (2l + 1) * layerBytes}.
 */
final class DeviceKvCache implements AutoCloseable {

    private final CudaContext context;
    private final int layers;
    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;
    private final long layerBytes; // one layer's keys (or values)
    private final DeviceBuffer buffer;

    DeviceKvCache(CudaContext context, ModelConfig c, int numBlocks, int blockSize) {
        if (numBlocks <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("Cannot allocate the GPU KV cache: numBlocks and blockSize must be "
                    + "positive, got " + numBlocks + " and " + blockSize);
        }
        this.context = context;
        this.layers = c.layers();
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvDim = c.kvDim();
        this.layerBytes = bytesPerLayer(c, numBlocks, blockSize);
        this.buffer = context.allocate(2 * layers * layerBytes, "KV cache (" + numBlocks + " blocks of " + blockSize
                + " tokens)");
        CudaException.check(cuMemsetD32Async(buffer.at(0), 0, buffer.bytes() / 4, context.stream()),
                "clear the KV cache");
    }

    /** Device bytes of the whole cache. */
    static long bytes(ModelConfig c, int numBlocks, int blockSize) {
        return 2L * c.layers() * bytesPerLayer(c, numBlocks, blockSize);
    }

    private static long bytesPerLayer(ModelConfig c, int numBlocks, int blockSize) {
        return (long) numBlocks * blockSize * c.kvDim() * Float.BYTES;
    }

    int numBlocks() {
        return numBlocks;
    }

    int blockSize() {
        return blockSize;
    }

    /** Device address of layer {@code layer}'s keys: (numBlocks * blockSize, kvDim) floats. */
    long keys(int layer) {
        return buffer.address(2L * layer * layerBytes);
    }

    /** Device address of layer {@code layer}'s values: (numBlocks * blockSize, kvDim) floats. */
    long values(int layer) {
        return buffer.address((2L * layer + 1) * layerBytes);
    }

    /** Queues a copy of every layer's keys and values of block {@code src} into block {@code dst}. */
    void copyBlock(int src, int dst) {
        if (src < 0 || src >= numBlocks || dst < 0 || dst >= numBlocks) {
            throw new IllegalArgumentException("Cannot copy KV block " + src + " to " + dst + ": blocks are 0.."
                    + (numBlocks - 1));
        }
        long blockBytes = (long) blockSize * kvDim * Float.BYTES;
        for (int half = 0; half < 2 * layers; half++) {
            long base = half * layerBytes;
            CudaException.check(cuMemcpyDtoDAsync(buffer.at(base + dst * blockBytes), buffer.at(base + src * blockBytes),
                    blockBytes, context.stream()), "copy KV block " + src + " to " + dst);
        }
    }

    /**
     * Queues on {@code stream} copies of every layer's keys and values of block {@code block} into {@code host}.
     *
     * @param host (layers, 2 [keys, values], blockSize, kvDim) floats of page-locked memory
     */
    void download(int block, Pointer host, CUstream stream) {
        long slice = checkBlock(block, "read");
        for (int half = 0; half < 2 * layers; half++) {
            CudaException.check(cuMemcpyDtoHAsync(host.withByteOffset(half * slice), buffer.at(half * layerBytes
                    + block * slice), slice, stream), "queue the copy of KV block " + block + " to the host");
        }
    }

    /**
     * Queues on {@code stream} copies of {@code host} (as {@link #download} fills it) into every layer's keys and
     * values of block {@code block}.
     *
     * @param host (layers, 2 [keys, values], blockSize, kvDim) floats of page-locked memory
     */
    void upload(int block, Pointer host, CUstream stream) {
        long slice = checkBlock(block, "write");
        for (int half = 0; half < 2 * layers; half++) {
            CudaException.check(cuMemcpyHtoDAsync(buffer.at(half * layerBytes + block * slice),
                    host.withByteOffset(half * slice), slice, stream), "queue the copy of KV block " + block
                    + " from the host");
        }
    }

    /** Bytes of one block's keys and values, all layers: (layers, 2, blockSize, kvDim) floats. */
    long blockBytes() {
        return 2L * layers * blockSize * kvDim * Float.BYTES;
    }

    /** Checks the block id; returns the bytes of one layer's keys (or values) of a block. */
    private long checkBlock(int block, String action) {
        if (block < 0 || block >= numBlocks) {
            throw new IllegalArgumentException("Cannot " + action + " KV block " + block + ": blocks are 0.."
                    + (numBlocks - 1));
        }
        return (long) blockSize * kvDim * Float.BYTES;
    }

    @Override
    public void close() {
        buffer.close();
    }
}
