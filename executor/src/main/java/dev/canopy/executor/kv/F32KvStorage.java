package dev.canopy.executor.kv;

import java.lang.foreign.MemorySegment;

/**
 * The full-precision KV cache ({@link KvCacheType#F32}): per layer, one heap float array of keys and one
 * of values, each {@code numBlocks × blockSize} token slots of {@code kvDim} floats. Attention reads the arrays
 * directly.
 */
public final class F32KvStorage extends KvStorage {

    // Heap arrays, not off-heap memory: attention reads them with the Vector API, and heap segments carry
    // no arena whose liveness every access would have to check (that check dominated decode time).
    private final float[][] keyArrays;   // per layer: (numBlocks * blockSize, kvDim)
    private final float[][] valueArrays; // per layer: (numBlocks * blockSize, kvDim)
    private final MemorySegment[] keys;   // per layer: (numBlocks * blockSize, kvDim) floats
    private final MemorySegment[] values; // per layer: (numBlocks * blockSize, kvDim) floats
    private final boolean[] localLayers; // (layers) layers whose blocks come from the local pool
    private final int numLocalBlocks;

    /** Use {@link KvStorage#open}, which checks the counts. */
    F32KvStorage(KvShape config, int numBlocks, int blockSize) {
        this(config, numBlocks, blockSize, new boolean[config.layers()], 0);
    }

    /**
     * A cache whose {@code localLayers} hold {@code numLocalBlocks} blocks of their own pool (the sliding-window
     * layers of {@code WindowedBlocks}) and whose other layers hold {@code numBlocks}. Use
     * {@link KvStorage#openWindowed}, which checks the counts.
     */
    F32KvStorage(KvShape config, int numBlocks, int blockSize, boolean[] localLayers, int numLocalBlocks) {
        super(KvCacheType.F32, config, numBlocks, blockSize);
        this.localLayers = localLayers.clone();
        this.numLocalBlocks = numLocalBlocks;
        keyArrays = new float[config.layers()][];
        valueArrays = new float[config.layers()][];
        keys = new MemorySegment[config.layers()];
        values = new MemorySegment[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            int floats = (localLayers[l] ? numLocalBlocks : numBlocks) * blockSize * config.kvDim();
            keyArrays[l] = new float[floats];
            valueArrays[l] = new float[floats];
            keys[l] = MemorySegment.ofArray(keyArrays[l]);
            values[l] = MemorySegment.ofArray(valueArrays[l]);
        }
    }

    /** Keys of layer {@code layer}: (numBlocks * blockSize, kvDim) floats. */
    public MemorySegment keys(int layer) {
        return keys[layer];
    }

    /** Values of layer {@code layer}: (numBlocks * blockSize, kvDim) floats. */
    public MemorySegment values(int layer) {
        return values[layer];
    }

    /** Float index of the first element of {@code (block, slot)} in a layer buffer. */
    public long slotIndex(int block, int slot) {
        return ((long) block * blockSize() + slot) * kvDim();
    }

    @Override
    public long byteSize() {
        long bytes = 0;
        for (float[] layerKeys : keyArrays) {
            bytes += 2L * layerKeys.length * Float.BYTES;
        }
        return bytes;
    }

    /** Blocks of the local layers' own pool; 0 when every layer uses the same {@link #numBlocks()} blocks. */
    public int numLocalBlocks() {
        return numLocalBlocks;
    }

    /** Copies the keys and values of block {@code src} into {@code dst} in every layer of the main pool. */
    @Override
    public void copyBlock(int src, int dst) {
        copyBlock(src, dst, false);
    }

    /** Copies the keys and values of block {@code src} into {@code dst} in every layer of the local layers' pool. */
    public void copyLocalBlock(int src, int dst) {
        copyBlock(src, dst, true);
    }

    private void copyBlock(int src, int dst, boolean localPool) {
        long bytes = (long) blockSize() * kvDim() * Float.BYTES;
        for (int l = 0; l < keys.length; l++) {
            if (localLayers[l] != localPool) {
                continue;
            }
            MemorySegment.copy(keys[l], slotIndex(src, 0) * Float.BYTES, keys[l], slotIndex(dst, 0) * Float.BYTES, bytes);
            MemorySegment.copy(values[l], slotIndex(src, 0) * Float.BYTES, values[l], slotIndex(dst, 0) * Float.BYTES, bytes);
        }
    }

    /** How one block of this cache is laid out as a swap payload. */
    public KvBlockLayout blockLayout() {
        if (numLocalBlocks > 0) {
            throw new UnsupportedOperationException("Cannot swap KV blocks of a cache whose sliding-window layers "
                    + "keep their own pool: a block id names different tokens there; turn KV offload off for this "
                    + "model or run it without windowed KV release");
        }
        return new KvBlockLayout(keys.length, blockSize(), kvDim());
    }

    @Override
    public long blockBytes() {
        return blockLayout().blockBytes();
    }

    /**
     * Copies every layer's keys and values of block {@code block} into {@code payload}; always succeeds.
     *
     * @param payload (layers, 2 [keys, values], blockSize, kvDim) floats
     */
    @Override
    public boolean readBlock(int block, MemorySegment payload) {
        blockLayout().gather(keys, values, checkedBlock(block, "read"), payload);
        return true;
    }

    /**
     * Copies {@code payload} (from {@link #readBlock}) into every layer's keys and values of block {@code block}.
     *
     * @param payload (layers, 2 [keys, values], blockSize, kvDim) floats
     */
    @Override
    public void writeBlock(int block, MemorySegment payload) {
        blockLayout().scatter(payload, keys, values, checkedBlock(block, "write"));
    }

    @Override
    public void write(int layer, int block, int slot, float[] k, int kOff, float[] v, int vOff) {
        int at = (int) slotIndex(block, slot);
        System.arraycopy(k, kOff, keyArrays[layer], at, kvDim());
        System.arraycopy(v, vOff, valueArrays[layer], at, kvDim());
    }

    /** Keys of layer {@code layer} as the heap array attention reads: (numBlocks * blockSize, kvDim). */
    public float[] keyArray(int layer) {
        return keyArrays[layer];
    }

    /** Values of layer {@code layer} as the heap array attention reads: (numBlocks * blockSize, kvDim). */
    public float[] valueArray(int layer) {
        return valueArrays[layer];
    }
}
