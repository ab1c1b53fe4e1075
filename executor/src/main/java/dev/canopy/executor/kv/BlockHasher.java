package dev.canopy.executor.kv;

/**
 * Names a full KV block by a 64-bit hash of its predecessor's hash and its own token ids, so that one hash
 * names the whole prefix up to the block's end. The prefix cache never trusts a hash alone: a hit is also
 * checked against the block's stored tokens and its predecessor block, so a colliding hasher costs hits,
 * never correctness. Tests use that to force collisions.
 */
@FunctionalInterface
public interface BlockHasher {

    /** The parent hash given to the first block of every sequence. */
    long ROOT_HASH = 0x27D4EB2F165667C5L;

    /** The default hasher: {@link #chained}. */
    BlockHasher DEFAULT = BlockHasher::chained;

    /**
     * Hash of a block whose predecessor has hash {@code parentHash} ({@link #ROOT_HASH} for a first block) and
     * whose tokens are {@code tokens[offset, offset + length)}.
     */
    long hash(long parentHash, int[] tokens, int offset, int length);

    /**
     * The {@link #DEFAULT} chain hashes of the first {@code blocks} full blocks of {@code blockSize} tokens of
     * {@code tokens}: the names the prefix cache gives them, which the scheduler's prefix leaders and the offload keys
     * use too.
     *
     * @param tokens at least {@code blocks * blockSize} token ids
     * @return (blocks) the chain hash of each leading block, block 0 first
     */
    static long[] chainHashes(int[] tokens, int blocks, int blockSize) {
        long[] chain = new long[blocks];
        long parent = ROOT_HASH;
        for (int k = 0; k < blocks; k++) {
            parent = chained(parent, tokens, k * blockSize, blockSize);
            chain[k] = parent;
        }
        return chain;
    }

    /** xxHash64-style: each token folded in with a multiply-rotate round, then a full avalanche. */
    static long chained(long parentHash, int[] tokens, int offset, int length) {
        final long p1 = 0x9E3779B185EBCA87L;
        final long p2 = 0xC2B2AE3D27D4EB4FL;
        final long p3 = 0x165667B19E3779F9L;
        long h = parentHash * p2 + length * p1;
        for (int i = offset; i < offset + length; i++) {
            h ^= (tokens[i] & 0xFFFFFFFFL) * p1;
            h = Long.rotateLeft(h, 23) * p2 + p3;
        }
        h ^= h >>> 33;
        h *= p2;
        h ^= h >>> 29;
        h *= p3;
        return h ^ (h >>> 32);
    }
}
