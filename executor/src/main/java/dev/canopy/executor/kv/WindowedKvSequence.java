package dev.canopy.executor.kv;

/**
 * A sequence of a model with sliding-window ("local") layers: beside the block table of its global layers, which
 * holds every position, it keeps a second table for its local layers, from whose front {@link WindowedBlocks}
 * releases the blocks that left the window.
 */
public interface WindowedKvSequence extends KvSequence {

    /** The block table of the local layers: same positions as {@link #blockTable()}, released entries in front. */
    BlockTable localBlockTable();

    /** This sequence as its local layers' pool sees it: the same tokens, the local table. */
    default KvSequence localView() {
        WindowedKvSequence seq = this;
        return new KvSequence() {
            @Override
            public int numTokens() {
                return seq.numTokens();
            }

            @Override
            public int tokenAt(int position) {
                return seq.tokenAt(position);
            }

            @Override
            public int numComputedTokens() {
                return seq.numComputedTokens();
            }

            @Override
            public BlockTable blockTable() {
                return seq.localBlockTable();
            }
        };
    }
}
