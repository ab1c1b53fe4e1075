package dev.canopy.executor.sched;

import dev.canopy.executor.kv.BlockCopy;
import dev.canopy.executor.kv.BlockManager;
import java.util.List;

/** {@link LocalKvPool#windowed}: a {@link BlockManager} of the local layers over each sequence's local table. */
record WindowedLocalPool(BlockManager pool, int window) implements LocalKvPool {

    @Override
    public boolean isSeparate() {
        return true;
    }

    @Override
    public int cachedPrefixBlocks(Sequence seq) {
        return pool.cachedPrefixBlocks(seq.localView());
    }

    @Override
    public boolean canAllocate(Sequence seq, int maxCachedBlocks) {
        return pool.canAllocateCached(seq.localView(), maxCachedBlocks);
    }

    @Override
    public void allocate(Sequence seq, int maxCachedBlocks) {
        pool.allocateCached(seq.localView(), maxCachedBlocks); // the steps add blocks as they write them
    }

    @Override
    public void releaseOutOfWindow(Sequence seq) {
        pool.releaseOutOfWindow(seq.localView(), window);
    }

    @Override
    public boolean canAppend(Sequence seq, int numNewTokens) {
        return pool.canAppend(seq.localView(), numNewTokens);
    }

    @Override
    public List<BlockCopy> appendSlots(Sequence seq, int numNewTokens) {
        return pool.appendSlots(seq.localView(), numNewTokens);
    }

    @Override
    public void markComputed(Sequence seq) {
        pool.markComputed(seq.localView());
    }

    @Override
    public void fork(Sequence parent, Sequence child) {
        pool.fork(parent.localView(), child.localView());
    }

    @Override
    public void free(Sequence seq) {
        pool.free(seq.localView());
    }

    @Override
    public void checkInvariants() {
        pool.checkInvariants();
    }
}
