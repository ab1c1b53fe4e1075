package dev.canopy.executor.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD32Async;

import dev.canopy.executor.model.ModelConfig;
import java.lang.foreign.MemorySegment;

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
     * Copies every layer's keys and values of block {@code block} into {@code payload} (after the queued work ends).
     *
     * @param payload (layers, 2 [keys, values], blockSize, kvDim) floats, native memory
     */
    void readBlock(int block, MemorySegment payload) {
        long slice = checkPayload(block, payload, "read");
        context.synchronize("finish the GPU work before reading KV block " + block);
        for (int half = 0; half < 2 * layers; half++) {
            buffer.download(half * layerBytes + block * slice, payload.asSlice(half * slice, slice));
        }
    }

    /**
     * Copies {@code payload} (from {@link #readBlock}) into every layer's keys and values of block {@code block}.
     *
     * @param payload (layers, 2 [keys, values], blockSize, kvDim) floats, native memory
     */
    void writeBlock(int block, MemorySegment payload) {
        long slice = checkPayload(block, payload, "write");
        context.synchronize("finish the GPU work before writing KV block " + block);
        for (int half = 0; half < 2 * layers; half++) {
            buffer.upload(half * layerBytes + block * slice, payload.asSlice(half * slice, slice));
        }
    }

    /** Checks the block id and the payload size; returns the bytes of one layer's keys (or values) of a block. */
    private long checkPayload(int block, MemorySegment payload, String action) {
        long slice = (long) blockSize * kvDim * Float.BYTES;
        if (block < 0 || block >= numBlocks || payload.byteSize() != 2 * layers * slice) {
            throw new IllegalArgumentException("Cannot " + action + " KV block " + block + ": blocks are 0.."
                    + (numBlocks - 1) + " and the payload must have " + 2 * layers * slice + " bytes, got "
                    + payload.byteSize());
        }
        return slice;
    }

    @Override
    public void close() {
        buffer.close();
    }
}
