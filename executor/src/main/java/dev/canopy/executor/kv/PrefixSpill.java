package dev.canopy.executor.kv;

/**
 * Where the {@link BlockManager} may keep cached prefix blocks it evicts from the pool, and get them back from: the
 * engine implements it over the KV offload tiers (host memory, disk) and decides, from the plan of requests still to
 * come, which evicted blocks are worth writing. The block manager calls it while the scheduler builds a step, before
 * a block is overwritten and after a sequence's blocks are allocated, so no forward pass reads or writes the blocks
 * meanwhile. An implementation may decline any block: a block not restored is computed instead, so outputs never
 * change.
 */
public interface PrefixSpill {

    /** Keeps nothing: evicted cached blocks are gone, as without offload. */
    PrefixSpill NONE = new PrefixSpill() {
        @Override
        public void evicting(int block, int[] prefix) {
        }

        @Override
        public boolean restore(KvSequence seq, int index, int block) {
            return false;
        }
    };

    /**
     * Pool block {@code block}, cached and held by no sequence, is about to get new content. It holds the KV of the
     * last {@code blockSize} tokens of {@code prefix}, which is the whole token prefix up to the block's end (so the
     * block is logical block {@code prefix.length / blockSize - 1} of any sequence starting with {@code prefix}).
     *
     * @param prefix (k * blockSize) token ids; not kept by the caller
     */
    void evicting(int block, int[] prefix);

    /**
     * Copies the kept KV of logical block {@code index} of {@code seq} (whose leading blocks {@code [0, index)} are
     * already in its table) into pool block {@code block}, when a block of exactly those leading tokens is kept.
     *
     * @return whether {@code block} now holds that KV; false leaves it to be computed
     */
    boolean restore(KvSequence seq, int index, int block);
}
