package dev.canopy.executor.kv;

import java.lang.foreign.MemorySegment;

/**
 * A KV cache whose blocks attention reads through a dequantizing copy, one block and KV head at a time. Its heap
 * arrays are {@link BlockPlanes}: a block copies and swaps as stored.
 */
public abstract sealed class QuantizedKvStorage extends KvStorage permits Q8KvStorage, Q4KvStorage {

    /** Every array of the cache, one slice per block; subclasses add theirs in their constructors. */
    final BlockPlanes planes = new BlockPlanes();

    QuantizedKvStorage(KvCacheType type, KvShape config, int numBlocks, int blockSize) {
        super(type, config, numBlocks, blockSize);
    }

    /**
     * Dequantizes the first {@code tokens} slots of block {@code block}, layer {@code layer}, KV head {@code kvHead}.
     * {@code tokens == blockSize} reads the block as complete; fewer read a block as it was while being filled
     * (a {@link KvCacheType#Q4} cache reads its full-precision copy then).
     *
     * @param keys   out: (tokens, headDim) floats from index 0
     * @param values out: (tokens, headDim) floats from index 0
     */
    public abstract void readHead(int layer, int block, int kvHead, int headDim, int tokens, float[] keys,
                                  float[] values);

    @Override
    public long byteSize() {
        return numBlocks() * planes.blockBytes();
    }

    @Override
    public void copyBlock(int src, int dst) {
        planes.copy(checkedBlock(src, "copy"), checkedBlock(dst, "copy"));
    }

    @Override
    public long blockBytes() {
        return planes.blockBytes();
    }

    /** Copies block {@code block}'s codes and scales into {@code payload}. */
    @Override
    public boolean readBlock(int block, MemorySegment payload) {
        planes.gather(checkedBlock(block, "read"), payload);
        return true;
    }

    @Override
    public void writeBlock(int block, MemorySegment payload) {
        planes.scatter(payload, checkedBlock(block, "write"));
    }
}
