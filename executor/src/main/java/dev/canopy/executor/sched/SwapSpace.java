package dev.canopy.executor.sched;

/**
 * Where a preempted sequence's KV can wait instead of being recomputed: the engine implements it over the offload
 * tiers (host memory, disk). The {@link Scheduler} calls it while it builds a step, so every copy happens before any
 * freed block is reused; it never touches tensors itself. Implementations decide swap or recompute per sequence and
 * may fail any block: the scheduler then recomputes from the first block not restored, so outputs never change.
 */
public interface SwapSpace {

    /** Never swaps: every preemption frees the KV and recomputes it later. */
    SwapSpace NONE = new SwapSpace() {
        @Override
        public boolean shouldSwap(Sequence seq, int blocks) {
            return false;
        }

        @Override
        public int swapOut(Sequence seq, int blocks) {
            return 0;
        }

        @Override
        public int swapIn(Sequence seq, int fromBlock, int toBlock) {
            return 0;
        }

        @Override
        public void discard(Sequence seq) {
        }
    };

    /**
     * Whether preempting {@code seq}, whose first {@code blocks} blocks hold computed KV, should swap them out. Asked
     * once at every preemption of a sequence holding computed blocks, before they are freed.
     */
    boolean shouldSwap(Sequence seq, int blocks);

    /**
     * Copies the KV of the first {@code blocks} blocks of {@code seq}'s block table (still held) out of the pool. The
     * copies may finish later (after the step's forward pass), as long as they take the blocks' KV as it is now; a
     * block that then fails to be stored is not restored by {@link #swapIn}, and recomputed.
     *
     * @return how many leading blocks are stored or being stored (stored blocks after the first failure are forgotten)
     */
    int swapOut(Sequence seq, int blocks);

    /**
     * Copies the stored blocks {@code [fromBlock, toBlock)} of {@code seq} into the blocks at the same indices of its
     * new block table, in order, stopping at the first block that cannot be restored exactly; then forgets every
     * stored block of {@code seq}.
     *
     * @return how many blocks from {@code fromBlock} on were restored
     */
    int swapIn(Sequence seq, int fromBlock, int toBlock);

    /** Forgets every stored block of {@code seq} (it finished, or will recompute). */
    void discard(Sequence seq);
}
