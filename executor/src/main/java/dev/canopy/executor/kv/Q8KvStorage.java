package dev.canopy.executor.kv;

import dev.canopy.executor.model.ModelConfig;
import java.lang.foreign.MemorySegment;

/**
 * The 8-bit KV cache ({@link KvCacheType#Q8}): every token's key and value rows are quantized as they are written
 * ({@link Q8Rows}: int8 codes, a float scale per {@value KvCacheType#GROUP} channels). Nothing depends on other
 * tokens or sequences, so a row's output does not depend on what shares its batch.
 */
public final class Q8KvStorage implements QuantizedKvStorage {

    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;
    private final int groups;
    private final byte[][] keyCodes;    // per layer: (numBlocks * blockSize, kvDim)
    private final float[][] keyScales;  // per layer: (numBlocks * blockSize, groups)
    private final byte[][] valueCodes;  // per layer: (numBlocks * blockSize, kvDim)
    private final float[][] valueScales; // per layer: (numBlocks * blockSize, groups)
    private final BlockPlanes planes;

    /** Use {@link KvStorage#open}, which checks the counts. */
    Q8KvStorage(ModelConfig config, int numBlocks, int blockSize) {
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvDim = config.kvDim();
        this.groups = KvCacheType.groups(kvDim);
        int layers = config.layers();
        int slots = numBlocks * blockSize;
        keyCodes = new byte[layers][slots * kvDim];
        valueCodes = new byte[layers][slots * kvDim];
        keyScales = new float[layers][slots * groups];
        valueScales = new float[layers][slots * groups];
        planes = new BlockPlanes();
        long codeSlice = (long) blockSize * kvDim;
        long scaleSlice = (long) blockSize * groups * Float.BYTES;
        for (int l = 0; l < layers; l++) {
            planes.add(MemorySegment.ofArray(keyCodes[l]), codeSlice).add(MemorySegment.ofArray(keyScales[l]), scaleSlice)
                    .add(MemorySegment.ofArray(valueCodes[l]), codeSlice)
                    .add(MemorySegment.ofArray(valueScales[l]), scaleSlice);
        }
    }

    @Override
    public KvCacheType type() {
        return KvCacheType.Q8;
    }

    @Override
    public int numBlocks() {
        return numBlocks;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public int kvDim() {
        return kvDim;
    }

    @Override
    public long byteSize() {
        return numBlocks * planes.blockBytes();
    }

    @Override
    public void write(int layer, int block, int slot, float[] k, int kOff, float[] v, int vOff) {
        int row = block * blockSize + slot;
        Q8Rows.quantize(k, kOff, kvDim, keyCodes[layer], row * kvDim, keyScales[layer], row * groups);
        Q8Rows.quantize(v, vOff, kvDim, valueCodes[layer], row * kvDim, valueScales[layer], row * groups);
    }

    @Override
    public void readHead(int layer, int block, int kvHead, int headDim, int tokens, float[] keys, float[] values) {
        int from = kvHead * headDim;
        for (int j = 0; j < tokens; j++) {
            int row = block * blockSize + j;
            Q8Rows.dequantize(keyCodes[layer], row * kvDim, keyScales[layer], row * groups, from, headDim, keys,
                    j * headDim);
            Q8Rows.dequantize(valueCodes[layer], row * kvDim, valueScales[layer], row * groups, from, headDim, values,
                    j * headDim);
        }
    }

    @Override
    public void copyBlock(int src, int dst) {
        planes.copy(BlockPlanes.checkedBlock(src, numBlocks, "copy"), BlockPlanes.checkedBlock(dst, numBlocks, "copy"));
    }

    @Override
    public long blockBytes() {
        return planes.blockBytes();
    }

    /** Copies block {@code block}'s codes and scales into {@code payload}; always succeeds. */
    @Override
    public boolean readBlock(int block, MemorySegment payload) {
        planes.gather(BlockPlanes.checkedBlock(block, numBlocks, "read"), payload);
        return true;
    }

    @Override
    public void writeBlock(int block, MemorySegment payload) {
        planes.scatter(payload, BlockPlanes.checkedBlock(block, numBlocks, "write"));
    }
}
