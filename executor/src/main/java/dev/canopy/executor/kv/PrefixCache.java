package dev.canopy.executor.kv;

import java.util.Arrays;
import java.util.Optional;

/**
 * Names full, computed KV blocks so that later sequences starting with the same tokens can reuse them.
 * A block is cached under its chain hash ({@link BlockHasher}) together with its tokens and a link to its
 * predecessor block (id and generation). A lookup only hits when the tokens are equal and the predecessor is
 * the block the lookup matched just before, unchanged since: by induction the whole prefix is equal, even
 * when hashes collide. Cached content stays valid while the block sits in the free list, until the block is
 * handed out again ({@link #replaceContent}).
 */
final class PrefixCache {

    static final int NO_BLOCK = -1;

    private final int blockSize;
    private final BlockHasher hasher;
    private final BlockHashTable hashToBlock;
    private final boolean[] cached; // (numBlocks) whether hashToBlock maps blockHash[b] to b
    private final long[] blockHash; // (numBlocks) chain hash of a cached block
    private final int[] parentBlock; // (numBlocks) predecessor when cached; NO_BLOCK for a first block
    private final int[] parentGeneration; // (numBlocks) generation of parentBlock when cached
    private final int[] generation; // (numBlocks) bumped each time the block's content is replaced
    private final int[] blockTokens; // (numBlocks, blockSize) token ids of cached blocks
    private final int[] scratch; // (blockSize) tokens of the block last hashed

    PrefixCache(int numBlocks, int blockSize, BlockHasher hasher) {
        this.blockSize = blockSize;
        this.hasher = hasher;
        hashToBlock = new BlockHashTable(numBlocks);
        cached = new boolean[numBlocks];
        blockHash = new long[numBlocks];
        parentBlock = new int[numBlocks];
        parentGeneration = new int[numBlocks];
        generation = new int[numBlocks];
        blockTokens = new int[numBlocks * blockSize];
        scratch = new int[blockSize];
    }

    boolean isCached(int block) {
        return cached[block];
    }

    int size() {
        return hashToBlock.size();
    }

    /**
     * Chain hash of logical block {@code index} of {@code seq}, whose predecessor is the cached block
     * {@code prevBlock} ({@link #NO_BLOCK} for index 0). Keeps the block's tokens for {@link #find}/{@link #register}.
     */
    long hash(KvSequence seq, int index, int prevBlock) {
        int start = index * blockSize;
        for (int i = 0; i < blockSize; i++) {
            scratch[i] = seq.tokenAt(start + i);
        }
        long parentHash = prevBlock == NO_BLOCK ? BlockHasher.ROOT_HASH : blockHash[prevBlock];
        return hasher.hash(parentHash, scratch, 0, blockSize);
    }

    /** The cached block named {@code hash} holding the last hashed tokens after {@code prevBlock}, or NO_BLOCK. */
    int find(long hash, int prevBlock) {
        int block = hashToBlock.get(hash);
        if (block == BlockHashTable.ABSENT) {
            return NO_BLOCK;
        }
        boolean sameParent = parentBlock[block] == prevBlock
                && (prevBlock == NO_BLOCK || parentGeneration[block] == generation[prevBlock]);
        int from = block * blockSize;
        boolean sameTokens = Arrays.equals(blockTokens, from, from + blockSize, scratch, 0, blockSize);
        return sameParent && sameTokens ? block : NO_BLOCK;
    }

    /** Caches {@code block} under {@code hash} with the last hashed tokens, displacing a colliding block. */
    void register(int block, long hash, int prevBlock) {
        int displaced = hashToBlock.get(hash);
        if (displaced != BlockHashTable.ABSENT) {
            cached[displaced] = false;
        }
        hashToBlock.put(hash, block);
        cached[block] = true;
        blockHash[block] = hash;
        parentBlock[block] = prevBlock;
        parentGeneration[block] = prevBlock == NO_BLOCK ? 0 : generation[prevBlock];
        System.arraycopy(scratch, 0, blockTokens, block * blockSize, blockSize);
    }

    /**
     * The tokens of the whole prefix that cached {@code block} ends: its predecessors' tokens, then its own. Empty
     * when the chain of predecessors is broken (a predecessor was overwritten or displaced since), so that the
     * prefix can no longer be checked.
     *
     * @return (depth * blockSize) token ids, depth being the block's position in the chain plus one
     */
    Optional<int[]> prefixTokens(int block) {
        if (!cached[block]) {
            return Optional.empty();
        }
        int depth = 1;
        for (int b = block; parentBlock[b] != NO_BLOCK; depth++) {
            int parent = parentBlock[b];
            if (!cached[parent] || parentGeneration[b] != generation[parent] || depth >= cached.length) {
                return Optional.empty();
            }
            b = parent;
        }
        int[] prefix = new int[depth * blockSize]; // (depth * blockSize) token ids
        int b = block;
        for (int d = depth - 1; d >= 0; d--) {
            System.arraycopy(blockTokens, b * blockSize, prefix, d * blockSize, blockSize);
            b = parentBlock[b];
        }
        return Optional.of(prefix);
    }

    /** Forgets {@code block}'s content: it is about to be overwritten. Links from cached successors go stale. */
    void replaceContent(int block) {
        if (cached[block]) {
            hashToBlock.remove(blockHash[block]);
            cached[block] = false;
        }
        generation[block]++;
    }

    /** Checks that the hash table and the per-block flags agree; throws IllegalStateException otherwise. */
    void checkInvariants() {
        int numCached = 0;
        for (int block = 0; block < cached.length; block++) {
            if (cached[block]) {
                numCached++;
                if (hashToBlock.get(blockHash[block]) != block) {
                    throw new IllegalStateException("Broken prefix cache: block " + block
                            + " is marked cached but its hash maps to block " + hashToBlock.get(blockHash[block]));
                }
            }
        }
        if (numCached != hashToBlock.size()) {
            throw new IllegalStateException("Broken prefix cache: " + numCached + " blocks are marked cached but the "
                    + "hash table has " + hashToBlock.size() + " entries");
        }
    }
}
