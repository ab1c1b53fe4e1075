package dev.canopy.executor.kv;

/**
 * Shape of the KV block pool.
 *
 * @param numBlocks     physical blocks in the pool (the runner's KV memory holds {@code numBlocks * blockSize} slots)
 * @param blockSize     token positions per block
 * @param prefixCaching whether full computed blocks are named by hash and shared with later sequences that
 *                      start with the same tokens
 */
public record BlockManagerConfig(int numBlocks, int blockSize, boolean prefixCaching) {

    public static final int DEFAULT_BLOCK_SIZE = 16;
    /** Largest accepted block size. */
    public static final int MAX_BLOCK_SIZE = 1 << 12;
    /** Largest accepted pool. */
    public static final int MAX_BLOCKS = 1 << 24;

    public BlockManagerConfig {
        if (blockSize < 1 || blockSize > MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("Cannot configure the block manager: blockSize must be in [1, "
                    + MAX_BLOCK_SIZE + "], got " + blockSize);
        }
        if (numBlocks < 1 || numBlocks > MAX_BLOCKS || (long) numBlocks * blockSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("Cannot configure the block manager: numBlocks must be in [1, "
                    + MAX_BLOCKS + "] with numBlocks * blockSize below 2^31-8, got numBlocks=" + numBlocks
                    + ", blockSize=" + blockSize);
        }
    }

    /** {@code numBlocks} blocks of {@link #DEFAULT_BLOCK_SIZE} tokens, prefix caching on. */
    public static BlockManagerConfig withDefaults(int numBlocks) {
        return new BlockManagerConfig(numBlocks, DEFAULT_BLOCK_SIZE, true);
    }
}
