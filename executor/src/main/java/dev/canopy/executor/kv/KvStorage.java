package dev.canopy.executor.kv;

import dev.canopy.executor.model.ModelConfig;
import dev.canopy.offload.KvBlockLayout;
import java.lang.foreign.MemorySegment;

/**
 * The physical paged KV cache of the CPU backend: per layer, one heap float array of keys and one
 * of values, each {@code numBlocks × blockSize} token slots of {@code kvDim} floats.
 *
 * <p>Token position {@code p} of a sequence lives in block {@code table[p / blockSize]}, slot
 * {@code p % blockSize}. Which block belongs to whom is the {@code BlockManager}'s business; this
 * class only stores numbers.
 */
public final class KvStorage implements AutoCloseable {

    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;
    /** Longest heap float array the JVM allocates safely. */
    static final long MAX_FLOATS_PER_LAYER = Integer.MAX_VALUE - 16;

    // Heap arrays, not off-heap memory: attention reads them with the Vector API, and heap segments carry
    // no arena whose liveness every access would have to check (that check dominated decode time).
    private final float[][] keyArrays;   // per layer: (numBlocks * blockSize, kvDim)
    private final float[][] valueArrays; // per layer: (numBlocks * blockSize, kvDim)
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
        long floatsPerLayer = (long) numBlocks * blockSize * kvDim;
        if (floatsPerLayer > MAX_FLOATS_PER_LAYER) {
            throw new IllegalArgumentException("Cannot allocate KV cache: " + numBlocks + " blocks of " + blockSize
                    + " tokens × " + kvDim + " floats per layer exceed " + MAX_FLOATS_PER_LAYER + " floats");
        }
        int floats = (int) floatsPerLayer;
        keyArrays = new float[config.layers()][];
        valueArrays = new float[config.layers()][];
        keys = new MemorySegment[config.layers()];
        values = new MemorySegment[config.layers()];
        for (int l = 0; l < config.layers(); l++) {
            keyArrays[l] = new float[floats];
            valueArrays[l] = new float[floats];
            keys[l] = MemorySegment.ofArray(keyArrays[l]);
            values[l] = MemorySegment.ofArray(valueArrays[l]);
        }
    }

    /**
     * Share of the Java heap the KV cache may take at most: the cache lives on the heap, beside the
     * model runner's and (in a Spark executor) Spark's own memory.
     */
    public static final double MAX_HEAP_SHARE = 0.25;

    /**
     * How many blocks of {@code blockSize} tokens fit in {@code budgetBytes} for this model, the budget
     * capped at {@link #MAX_HEAP_SHARE} of the Java heap (so a large budget slows nothing down with an
     * out-of-memory error; raise the heap with -Xmx to give the cache more).
     */
    public static int blocksForBudget(ModelConfig config, long budgetBytes, int blockSize) {
        long perBlock = config.kvBytesPerToken() * blockSize;
        long heapCap = (long) (Runtime.getRuntime().maxMemory() * MAX_HEAP_SHARE);
        long budget = Math.min(budgetBytes, heapCap);
        if (budget < budgetBytes) {
            java.util.logging.Logger.getLogger(KvStorage.class.getName()).info("KV budget of " + budgetBytes
                    + " bytes capped at " + budget + " bytes (" + (int) (MAX_HEAP_SHARE * 100)
                    + "% of the Java heap); raise -Xmx for a larger cache");
        }
        long n = budget / perBlock;
        if (n < 1) {
            throw new IllegalArgumentException("Cannot size KV cache: a budget of " + budget
                    + " bytes holds no block of " + blockSize + " tokens (" + perBlock + " bytes each)");
        }
        long maxByArray = MAX_FLOATS_PER_LAYER / ((long) blockSize * config.kvDim());
        return (int) Math.min(Math.min(n, maxByArray), Integer.MAX_VALUE / 2);
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

    /** How one block of this cache is laid out as a swap payload. */
    public KvBlockLayout blockLayout() {
        return new KvBlockLayout(keys.length, blockSize, kvDim);
    }

    /**
     * Copies every layer's keys and values of block {@code block} into {@code payload}.
     *
     * @param payload (layers, 2 [keys, values], blockSize, kvDim) floats
     */
    public void readBlock(int block, MemorySegment payload) {
        blockLayout().gather(keys, values, checkedBlock(block, "read"), payload);
    }

    /**
     * Copies {@code payload} (from {@link #readBlock}) into every layer's keys and values of block {@code block}.
     *
     * @param payload (layers, 2 [keys, values], blockSize, kvDim) floats
     */
    public void writeBlock(int block, MemorySegment payload) {
        blockLayout().scatter(payload, keys, values, checkedBlock(block, "write"));
    }

    private int checkedBlock(int block, String action) {
        if (block < 0 || block >= numBlocks) {
            throw new IllegalArgumentException("Cannot " + action + " KV block " + block + ": blocks are 0.."
                    + (numBlocks - 1));
        }
        return block;
    }

    /** Writes one token's key and value rows (kvDim floats each) for {@code layer}. */
    public void write(int layer, int block, int slot, float[] k, int kOff, float[] v, int vOff) {
        int at = (int) slotIndex(block, slot);
        System.arraycopy(k, kOff, keyArrays[layer], at, kvDim);
        System.arraycopy(v, vOff, valueArrays[layer], at, kvDim);
    }

    /** Keys of layer {@code layer} as the heap array attention reads: (numBlocks * blockSize, kvDim). */
    public float[] keyArray(int layer) {
        return keyArrays[layer];
    }

    /** Values of layer {@code layer} as the heap array attention reads: (numBlocks * blockSize, kvDim). */
    public float[] valueArray(int layer) {
        return valueArrays[layer];
    }

    /** The heap arrays are freed by the garbage collector once the storage is unreachable. */
    @Override
    public void close() {
    }
}
