package dev.canopy.executor.kv;

import java.lang.foreign.MemorySegment;

/**
 * The 4-bit KV cache in the KIVI manner ({@link KvCacheType#Q4}, {@link Q4Groups}): keys quantized per channel over
 * the tokens of a block, values per token per {@value KvCacheType#GROUP} channels.
 *
 * <p>A block being filled stays in full precision ({@link OpenBlocks}) and is quantized when its last slot is
 * written. A query at position {@code p} reads a block as complete (quantized) when the block ends at or before
 * {@code p}, and the full-precision copy otherwise, whether the block's tokens came in one prefill chunk or one
 * decode step at a time: a row's output does not depend on chunking or on what shares its batch. The copy stays
 * until the step ends, for the step's earlier rows. Writing a token into an already quantized block (a sequence
 * recomputing its last prompt token) re-encodes it under the block's existing key ranges.
 */
public final class Q4KvStorage extends QuantizedKvStorage {

    private final int groups;
    private final long blockNibbles;      // nibbles from one block's codes to the next (a whole number of bytes)
    private final byte[][] keyCodes;      // per layer: (numBlocks, blockNibbles) nibbles; slot j, channel c at j * kvDim + c
    private final short[][] keyScales;    // per layer: (numBlocks, kvDim) F16, per channel
    private final short[][] keyMins;      // per layer: (numBlocks, kvDim) F16, per channel
    private final byte[][] valueCodes;    // per layer: like keyCodes
    private final short[][] valueScales;  // per layer: (numBlocks * blockSize, groups) F16, per token and group
    private final short[][] valueMins;    // per layer: (numBlocks * blockSize, groups) F16
    private final OpenBlocks openBlocks;

    /** Use {@link KvStorage#open}, which checks the counts. */
    Q4KvStorage(KvShape config, int numBlocks, int blockSize) {
        super(KvCacheType.Q4, config, numBlocks, blockSize);
        int kvDim = config.kvDim();
        this.groups = KvCacheType.groups(kvDim);
        int layers = config.layers();
        long codeBytes = ((long) blockSize * kvDim + 1) / 2; // one block's codes
        this.blockNibbles = 2 * codeBytes;
        keyCodes = new byte[layers][(int) (numBlocks * codeBytes)];
        valueCodes = new byte[layers][(int) (numBlocks * codeBytes)];
        keyScales = new short[layers][numBlocks * kvDim];
        keyMins = new short[layers][numBlocks * kvDim];
        valueScales = new short[layers][numBlocks * blockSize * groups];
        valueMins = new short[layers][numBlocks * blockSize * groups];
        long keyParams = (long) kvDim * Short.BYTES;
        long valueParams = (long) blockSize * groups * Short.BYTES;
        for (int l = 0; l < layers; l++) {
            planes.add(MemorySegment.ofArray(keyCodes[l]), codeBytes)
                    .add(MemorySegment.ofArray(keyScales[l]), keyParams).add(MemorySegment.ofArray(keyMins[l]), keyParams)
                    .add(MemorySegment.ofArray(valueCodes[l]), codeBytes)
                    .add(MemorySegment.ofArray(valueScales[l]), valueParams)
                    .add(MemorySegment.ofArray(valueMins[l]), valueParams);
        }
        openBlocks = new OpenBlocks(numBlocks, layers, blockSize, kvDim);
    }

    /** Blocks held in full precision now (being filled, or filled during the current step). */
    public int openBlockCount() {
        return openBlocks.openCount();
    }

    @Override
    public void write(int layer, int block, int slot, float[] k, int kOff, float[] v, int vOff) {
        OpenBlocks.Residual open = slot == 0 ? openBlocks.open(block) : openBlocks.get(block);
        if (open == null) {
            rewrite(layer, block, slot, k, kOff, v, vOff);
            return;
        }
        System.arraycopy(k, kOff, open.keys()[layer], slot * kvDim(), kvDim());
        System.arraycopy(v, vOff, open.values()[layer], slot * kvDim(), kvDim());
        if (slot == blockSize() - 1) {
            quantize(layer, block, open.keys()[layer], open.values()[layer]);
            if (layer == 0) {
                openBlocks.closeAfterStep(block);
            }
        }
    }

    @Override
    public void finishStep() {
        openBlocks.finishStep();
    }

    /** Quantizes a filled block of one layer: keys per channel over its tokens, values per token and group. */
    private void quantize(int layer, int block, float[] keys, float[] values) { // keys, values: (blockSize, kvDim)
        long codes0 = block * blockNibbles;
        for (int c = 0; c < kvDim(); c++) {
            Q4Groups.quantize(keys, c, kvDim(), blockSize(), keyCodes[layer], codes0 + c, kvDim(), keyScales[layer],
                    keyMins[layer], block * kvDim() + c);
        }
        for (int j = 0; j < blockSize(); j++) {
            quantizeValueRow(layer, block, j, values, j * kvDim());
        }
    }

    private void quantizeValueRow(int layer, int block, int slot, float[] v, int vOff) {
        long codes0 = block * blockNibbles + (long) slot * kvDim();
        int params = (block * blockSize() + slot) * groups;
        for (int from = 0, g = 0; from < kvDim(); from += KvCacheType.GROUP, g++) {
            Q4Groups.quantize(v, vOff + from, 1, Math.min(KvCacheType.GROUP, kvDim() - from), valueCodes[layer],
                    codes0 + from, 1, valueScales[layer], valueMins[layer], params + g);
        }
    }

    /** A token written into a quantized block: its key under the block's channel ranges, its value afresh. */
    private void rewrite(int layer, int block, int slot, float[] k, int kOff, float[] v, int vOff) {
        long codes0 = block * blockNibbles + (long) slot * kvDim();
        for (int c = 0; c < kvDim(); c++) {
            Q4Groups.encode(k[kOff + c], keyCodes[layer], codes0 + c, keyScales[layer][block * kvDim() + c],
                    keyMins[layer][block * kvDim() + c]);
        }
        quantizeValueRow(layer, block, slot, v, vOff);
    }

    @Override
    public void readHead(int layer, int block, int kvHead, int headDim, int tokens, float[] keys, float[] values) {
        int from = kvHead * headDim;
        if (tokens < blockSize()) {
            OpenBlocks.Residual open = openBlocks.get(block);
            if (open == null) {
                throw new IllegalStateException("Cannot read the first " + tokens + " of " + blockSize()
                        + " slots of KV block " + block + ": the block is already quantized");
            }
            for (int j = 0; j < tokens; j++) {
                System.arraycopy(open.keys()[layer], j * kvDim() + from, keys, j * headDim, headDim);
                System.arraycopy(open.values()[layer], j * kvDim() + from, values, j * headDim, headDim);
            }
            return;
        }
        dequantizeKeys(keyCodes[layer], block, from, headDim, keyScales[layer], keyMins[layer], keys);
        dequantizeValues(valueCodes[layer], block, from, headDim, valueScales[layer], valueMins[layer], values);
    }

    /** keys (blockSize, headDim) = channels [from, from + headDim) of the block, each under its own range. */
    private void dequantizeKeys(byte[] codes, int block, int from, int headDim, short[] scales, short[] mins,
                                float[] keys) {
        float[] scale = new float[headDim]; // (headDim) per channel
        float[] min = new float[headDim];   // (headDim) per channel
        for (int d = 0; d < headDim; d++) {
            scale[d] = Float.float16ToFloat(scales[block * kvDim() + from + d]);
            min[d] = Float.float16ToFloat(mins[block * kvDim() + from + d]);
        }
        long codes0 = block * blockNibbles + from;
        for (int j = 0; j < blockSize(); j++) {
            long row = codes0 + (long) j * kvDim();
            for (int d = 0; d < headDim; d++) {
                keys[j * headDim + d] = Q4Groups.code(codes, row + d) * scale[d] + min[d];
            }
        }
    }

    /** values (blockSize, headDim) = channels [from, from + headDim) of the block, each token under its groups' ranges. */
    private void dequantizeValues(byte[] codes, int block, int from, int headDim, short[] scales, short[] mins,
                                  float[] values) {
        for (int j = 0; j < blockSize(); j++) {
            long row = block * blockNibbles + (long) j * kvDim();
            int params = (block * blockSize() + j) * groups;
            for (int d = 0; d < headDim; ) {
                int c = from + d;
                int g = c / KvCacheType.GROUP;
                int end = Math.min(headDim, (g + 1) * KvCacheType.GROUP - from); // this group's channels in the head
                float scale = Float.float16ToFloat(scales[params + g]);
                float min = Float.float16ToFloat(mins[params + g]);
                for (; d < end; d++) {
                    values[j * headDim + d] = Q4Groups.code(codes, row + from + d) * scale + min;
                }
            }
        }
    }

    /** Copies the block as stored, and its full-precision copy when it is being filled. */
    @Override
    public void copyBlock(int src, int dst) {
        super.copyBlock(src, dst);
        openBlocks.copy(src, dst);
    }

    /** Copies block {@code block}'s codes and ranges into {@code payload}; false (nothing copied) while it is open. */
    @Override
    public boolean readBlock(int block, MemorySegment payload) {
        return openBlocks.get(checkedBlock(block, "read")) == null && super.readBlock(block, payload);
    }

    @Override
    public void writeBlock(int block, MemorySegment payload) {
        super.writeBlock(block, payload);
        openBlocks.close(block);
    }
}
