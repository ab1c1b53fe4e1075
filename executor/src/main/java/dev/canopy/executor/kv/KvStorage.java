package dev.canopy.executor.kv;

import dev.canopy.executor.model.ModelConfig;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The physical paged KV cache of the CPU backend: per layer, one off-heap buffer of keys and one
 * of values, each {@code numBlocks × blockSize} token slots of {@code kvDim} floats.
 *
 * <p>Token position {@code p} of a sequence lives in block {@code table[p / blockSize]}, slot
 * {@code p % blockSize}. Which block belongs to whom is the {@code BlockManager}'s business; this
 * class only stores numbers.
 */
public final class KvStorage implements AutoCloseable {

    private final Arena arena = Arena.ofShared();
    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;
    private final MemorySegment[] keys;   // per layer: (numBlocks * blockSize, kvDim) floats
    private final MemorySegment[] values; // per layer: (numBlocks * blockSize, kvDim) floats

    public KvStorage(ModelConfig config, int numBlocks, int blockSize) {
        if (numBlocks <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("Cannot allocate KV cache: numBlocks and blockSize must be positive, got "
                    + numBlocks + " and " + blockSize);
        }
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvDim = config.kvDim();
        long bytes = (long) numBlocks * blockSize * kvDim * Float.BYTES;
        keys = new MemorySegment[config.layers()];
        values = new MemorySegment[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            keys[l] = arena.allocate(bytes, 64);
            values[l] = arena.allocate(bytes, 64);
        }
    }

    /** How many blocks of {@code blockSize} tokens fit in {@code budgetBytes} for this model. */
    public static int blocksForBudget(ModelConfig config, long budgetBytes, int blockSize) {
        long perBlock = config.kvBytesPerToken() * blockSize;
        long n = budgetBytes / perBlock;
        if (n < 1) {
            throw new IllegalArgumentException("Cannot size KV cache: a budget of " + budgetBytes
                    + " bytes holds no block of " + blockSize + " tokens (" + perBlock + " bytes each)");
        }
        return (int) Math.min(n, Integer.MAX_VALUE / 2);
    }

    public int numBlocks() {
        return numBlocks;
    }

    public int blockSize() {
        return blockSize;
    }

    public int kvDim() {
        return kvDim;
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
        return ((long) block * blockSize + slot) * kvDim;
    }

    /** Byte size of the whole cache. */
    public long byteSize() {
        return 2L * keys.length * numBlocks * blockSize * kvDim * Float.BYTES;
    }

    /** Copies every layer's keys and values of block {@code src} into block {@code dst} (copy-on-write). */
    public void copyBlock(int src, int dst) {
        long bytes = (long) blockSize * kvDim * Float.BYTES;
        for (int l = 0; l < keys.length; l++) {
            MemorySegment.copy(keys[l], slotIndex(src, 0) * Float.BYTES, keys[l], slotIndex(dst, 0) * Float.BYTES, bytes);
            MemorySegment.copy(values[l], slotIndex(src, 0) * Float.BYTES, values[l], slotIndex(dst, 0) * Float.BYTES, bytes);
        }
    }

    /** Writes one token's key and value rows (kvDim floats each) for {@code layer}. */
    public void write(int layer, int block, int slot, float[] k, int kOff, float[] v, int vOff) {
        long at = slotIndex(block, slot) * Float.BYTES;
        MemorySegment.copy(k, kOff, keys[layer], ValueLayout.JAVA_FLOAT, at, kvDim);
        MemorySegment.copy(v, vOff, values[layer], ValueLayout.JAVA_FLOAT, at, kvDim);
    }

    @Override
    public void close() {
        arena.close();
    }
}
