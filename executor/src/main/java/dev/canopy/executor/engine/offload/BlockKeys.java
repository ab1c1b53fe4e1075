package dev.canopy.executor.engine.offload;

import dev.canopy.executor.kv.BlockHasher;
import dev.canopy.offload.BlockKey;

/**
 * The one key scheme of offloaded KV blocks: a block is named by its token content, so a swapped-out block and an
 * evicted prefix-cache block of the same tokens are the same stored block. A KV block's bytes are a pure function of
 * its token prefix (the kernels are batch-invariant), so the content names the bytes.
 *
 * <p>A full block {@code k} is {@code BlockKey(chain hash, k)}, the chain hash being the prefix cache's
 * ({@link BlockHasher#DEFAULT} over the block's tokens and its predecessor's hash) with the top bit clear. The partial
 * last block of a swapped-out sequence (fewer than {@code blockSize} tokens computed) is named by the hash of its
 * predecessor's chain hash and the tokens present, with the top bit set, so it never equals a full block's key. A
 * hash names a block but is never trusted alone: {@link OffloadedBlocks} keeps each block's tokens and checks them.
 */
final class BlockKeys {

    private BlockKeys() {
    }

    /** The key of full block {@code index} whose chain hash (over its whole token prefix) is {@code chainHash}. */
    static BlockKey full(long chainHash, int index) {
        return new BlockKey(chainHash & Long.MAX_VALUE, index);
    }

    /**
     * The keys of the blocks holding the KV of {@code tokens[0, length)}: full blocks by chain hash, then, when
     * {@code length} is not a multiple of {@code blockSize}, the partial last block, marked.
     *
     * @return (ceil(length / blockSize)) keys, block 0 first
     */
    static BlockKey[] of(int[] tokens, int length, int blockSize) {
        int full = length / blockSize;
        long[] chain = BlockHasher.chainHashes(tokens, full, blockSize);
        BlockKey[] keys = new BlockKey[(length + blockSize - 1) / blockSize];
        for (int k = 0; k < full; k++) {
            keys[k] = full(chain[k], k);
        }
        if (full < keys.length) {
            long parent = full == 0 ? BlockHasher.ROOT_HASH : chain[full - 1];
            long hash = BlockHasher.DEFAULT.hash(parent, tokens, full * blockSize, length - full * blockSize);
            keys[full] = new BlockKey(hash | Long.MIN_VALUE, full);
        }
        return keys;
    }
}
