package dev.canopy.executor.kv;

/**
 * A copy-on-write instruction: before the forward pass, the runner copies the KV of every layer from
 * physical block {@code srcBlock} to {@code dstBlock} (all {@code blockSize} slots). Copies of one step are
 * applied in list order.
 */
public record BlockCopy(int srcBlock, int dstBlock) {

    public BlockCopy {
        if (srcBlock < 0 || dstBlock < 0 || srcBlock == dstBlock) {
            throw new IllegalArgumentException("Cannot make a block copy: blocks must be distinct and non-negative, got "
                    + srcBlock + " -> " + dstBlock);
        }
    }
}
