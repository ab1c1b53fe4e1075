package dev.canopy.executor.kv;

import java.lang.foreign.MemorySegment;

/**
 * The 8-bit KV cache ({@link KvCacheType#Q8}): every token's key and value rows are quantized as they are written
 * ({@link Q8Rows}: int8 codes, a float scale per {@value KvCacheType#GROUP} channels). Nothing depends on other
 * tokens or sequences, so a row's output does not depend on what shares its batch.
 */
public final class Q8KvStorage extends QuantizedKvStorage {

    private final int groups;
    private final byte[][] keyCodes;    // per layer: (numBlocks * blockSize, kvDim)
    private final float[][] keyScales;  // per layer: (numBlocks * blockSize, groups)
    private final byte[][] valueCodes;  // per layer: (numBlocks * blockSize, kvDim)
    private final float[][] valueScales; // per layer: (numBlocks * blockSize, groups)

    /** Use {@link KvStorage#open}, which checks the counts. */
    Q8KvStorage(KvShape config, int numBlocks, int blockSize) {
        super(KvCacheType.Q8, config, numBlocks, blockSize);
        int kvDim = config.kvDim();
        this.groups = KvCacheType.groups(kvDim);
        int layers = config.layers();
        int slots = numBlocks * blockSize;
        keyCodes = new byte[layers][slots * kvDim];
        valueCodes = new byte[layers][slots * kvDim];
        keyScales = new float[layers][slots * groups];
        valueScales = new float[layers][slots * groups];
        long codeSlice = (long) blockSize * kvDim;
        long scaleSlice = (long) blockSize * groups * Float.BYTES;
        for (int l = 0; l < layers; l++) {
            planes.add(MemorySegment.ofArray(keyCodes[l]), codeSlice).add(MemorySegment.ofArray(keyScales[l]), scaleSlice)
                    .add(MemorySegment.ofArray(valueCodes[l]), codeSlice)
                    .add(MemorySegment.ofArray(valueScales[l]), scaleSlice);
        }
    }

    @Override
    public void write(int layer, int block, int slot, float[] k, int kOff, float[] v, int vOff) {
        int row = block * blockSize() + slot;
        Q8Rows.quantize(k, kOff, kvDim(), keyCodes[layer], row * kvDim(), keyScales[layer], row * groups);
        Q8Rows.quantize(v, vOff, kvDim(), valueCodes[layer], row * kvDim(), valueScales[layer], row * groups);
    }

    @Override
    public void readHead(int layer, int block, int kvHead, int headDim, int tokens, float[] keys, float[] values) {
        int from = kvHead * headDim;
        for (int j = 0; j < tokens; j++) {
            int row = block * blockSize() + j;
            Q8Rows.dequantize(keyCodes[layer], row * kvDim(), keyScales[layer], row * groups, from, headDim, keys,
                    j * headDim);
            Q8Rows.dequantize(valueCodes[layer], row * kvDim(), valueScales[layer], row * groups, from, headDim, values,
                    j * headDim);
        }
    }
}
