package dev.canopy.executor.kv;

/** A KV cache whose blocks attention reads through a dequantizing copy, one block and KV head at a time. */
public sealed interface QuantizedKvStorage extends KvStorage permits Q8KvStorage, Q4KvStorage {

    /**
     * Dequantizes the first {@code tokens} slots of block {@code block}, layer {@code layer}, KV head {@code kvHead}.
     * {@code tokens == blockSize} reads the block as complete; fewer read a block as it was while being filled
     * (a {@link KvCacheType#Q4} cache reads its full-precision copy then).
     *
     * @param keys   out: (tokens, headDim) floats from index 0
     * @param values out: (tokens, headDim) floats from index 0
     */
    void readHead(int layer, int block, int kvHead, int headDim, int tokens, float[] keys, float[] values);
}
