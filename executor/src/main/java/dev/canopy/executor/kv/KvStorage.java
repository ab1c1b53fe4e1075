package dev.canopy.executor.kv;

import java.lang.foreign.MemorySegment;

/**
 * The physical paged KV cache of the CPU backend: per layer, {@code numBlocks × blockSize} token slots of
 * {@code kvDim} keys and {@code kvDim} values, stored as {@link #type()} says.
 *
 * <p>Token position {@code p} of a sequence lives in block {@code table[p / blockSize]}, slot
 * {@code p % blockSize}. Which block belongs to whom is the {@code BlockManager}'s business; a storage
 * only stores numbers.
 */
public abstract sealed class KvStorage implements AutoCloseable permits F32KvStorage, QuantizedKvStorage {

    /**
     * Share of the Java heap the KV cache may take at most: the cache lives on the heap, beside the
     * model runner's and (in a Spark executor) Spark's own memory.
     */
    public static final double MAX_HEAP_SHARE = 0.25;

    /** Most elements (token slots × kvDim) of one layer: the longest heap array the JVM allocates safely. */
    public static final long MAX_ELEMENTS_PER_LAYER = Integer.MAX_VALUE - 16;

    private final KvCacheType type;
    private final int numBlocks;
    private final int blockSize;
    private final int kvDim;

    KvStorage(KvCacheType type, KvShape config, int numBlocks, int blockSize) {
        this.type = type;
        this.numBlocks = numBlocks;
        this.blockSize = blockSize;
        this.kvDim = config.kvDim();
    }

    /**
     * A storage of {@code numBlocks} blocks of {@code blockSize} tokens for {@code config}, of type {@code type}.
     *
     * @throws IllegalArgumentException when a count is not positive or a layer would exceed
     *     {@link #MAX_ELEMENTS_PER_LAYER}
     */
    public static KvStorage open(KvShape config, KvCacheType type, int numBlocks, int blockSize) {
        checkCounts(config, numBlocks, blockSize);
        return switch (type) {
            case F32 -> new F32KvStorage(config, numBlocks, blockSize);
            case Q8 -> new Q8KvStorage(config, numBlocks, blockSize);
            case Q4 -> new Q4KvStorage(config, numBlocks, blockSize);
        };
    }

    private static void checkCounts(KvShape config, int numBlocks, int blockSize) {
        if (numBlocks <= 0 || blockSize <= 0) {
            throw new IllegalArgumentException("Cannot allocate KV cache: numBlocks and blockSize must be positive, got "
                    + numBlocks + " and " + blockSize);
        }
        long elements = (long) numBlocks * blockSize * config.kvDim();
        if (elements > MAX_ELEMENTS_PER_LAYER) {
            throw new IllegalArgumentException("Cannot allocate KV cache: " + numBlocks + " blocks of " + blockSize
                    + " tokens × " + config.kvDim() + " channels per layer exceed " + MAX_ELEMENTS_PER_LAYER
                    + " elements");
        }
    }

    /**
     * An F32 storage whose {@code localLayers} (the sliding-window layers) hold {@code numLocalBlocks} blocks of their
     * own pool and whose other layers hold {@code numBlocks}: the storage behind {@link WindowedBlocks}.
     *
     * @throws IllegalArgumentException when a count is not positive, the layer flags do not match the model, or a
     *     layer would exceed {@link #MAX_ELEMENTS_PER_LAYER}
     */
    public static F32KvStorage openWindowed(KvShape config, int numBlocks, int numLocalBlocks, int blockSize,
                                            boolean[] localLayers) {
        if (localLayers.length != config.layers() || numLocalBlocks <= 0) {
            throw new IllegalArgumentException("Cannot allocate a windowed KV cache: " + localLayers.length
                    + " layer flags for a model of " + config.layers() + " layers and " + numLocalBlocks
                    + " local blocks (must be positive)");
        }
        checkCounts(config, Math.max(numBlocks, numLocalBlocks), blockSize);
        return new F32KvStorage(config, numBlocks, blockSize, localLayers, numLocalBlocks);
    }

    /**
     * How many blocks of {@code blockSize} tokens of {@code type} fit in {@code budgetBytes} for this model, the budget
     * capped at {@link #MAX_HEAP_SHARE} of the Java heap (so a large budget slows nothing down with an
     * out-of-memory error; raise the heap with -Xmx to give the cache more). A quantized type fits more blocks.
     *
     * @throws IllegalArgumentException when the budget holds no block
     */
    public static int blocksForBudget(KvShape config, KvCacheType type, long budgetBytes, int blockSize) {
        long perBlock = type.blockBytes(config, blockSize);
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
                    + " bytes holds no block of " + blockSize + " tokens (" + perBlock + " bytes each, "
                    + type.label() + ")");
        }
        long maxByArray = MAX_ELEMENTS_PER_LAYER / ((long) blockSize * config.kvDim());
        return (int) Math.min(Math.min(n, maxByArray), Integer.MAX_VALUE / 2);
    }

    /** How keys and values are stored. */
    public final KvCacheType type() {
        return type;
    }

    public final int numBlocks() {
        return numBlocks;
    }

    public final int blockSize() {
        return blockSize;
    }

    /** Keys (or values) per token: kvHeads × headDim. */
    public final int kvDim() {
        return kvDim;
    }

    /** {@code block} when it is one of this cache's blocks, else an exception naming the action. */
    final int checkedBlock(int block, String action) {
        if (block < 0 || block >= numBlocks) {
            throw new IllegalArgumentException("Cannot " + action + " KV block " + block + ": blocks are 0.."
                    + (numBlocks - 1));
        }
        return block;
    }

    /** Byte size of the whole cache (blocks only: the blocks being filled of a {@link KvCacheType#Q4} cache aside). */
    public abstract long byteSize();

    /**
     * Stores one token's key and value rows (kvDim floats each) of {@code layer} at {@code (block, slot)}, quantizing
     * them as the type says.
     */
    public abstract void write(int layer, int block, int slot, float[] k, int kOff, float[] v, int vOff);

    /**
     * Ends a forward step: every row of the step has been written and has attended. (A {@link KvCacheType#Q4} cache
     * drops the full-precision copies of the blocks it quantized during the step.)
     */
    public void finishStep() {
    }

    /** Copies every layer's keys and values of block {@code src} into block {@code dst} (copy-on-write). */
    public abstract void copyBlock(int src, int dst);

    /** Bytes of one block's swap payload ({@link #readBlock}). */
    public abstract long blockBytes();

    /**
     * Copies every layer's keys and values of block {@code block}, as stored, into {@code payload}
     * ({@link #blockBytes()} bytes).
     *
     * @return false, copying nothing, when the block has no payload form: a {@link KvCacheType#Q4} block still being
     *     filled (in full precision) is recomputed rather than swapped
     */
    public abstract boolean readBlock(int block, MemorySegment payload);

    /** Copies {@code payload} (from {@link #readBlock}) into every layer's keys and values of block {@code block}. */
    public abstract void writeBlock(int block, MemorySegment payload);

    /** Heap arrays are freed by the garbage collector once the storage is unreachable. */
    @Override
    public void close() {
    }
}
