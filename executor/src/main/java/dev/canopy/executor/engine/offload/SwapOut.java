package dev.canopy.executor.engine.offload;

import dev.canopy.executor.sched.Sequence;
import dev.canopy.offload.BlockKey;
import dev.canopy.offload.TieredKvStore;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;

/**
 * One sequence's swap-out while its reads are pending ({@link KvSwapper}). Each block is held in
 * {@link OffloadedBlocks} under its content key: one already stored is shared at once, the others are read out of the
 * pool and written to the tiers in order; each stored block is pinned until the swap-out ends, so that a later block
 * of the sequence does not push it out. Once every block is settled, the blocks from the first one not stored on are
 * released (a swap-in stops there anyway) and {@code onEnd} gets the result.
 *
 * <p>Used by the scheduler's thread only.
 */
final class SwapOut {

    private final OffloadedBlocks blocks;
    private final PendingBlockReads reads;
    private final TieredKvStore store;
    private final Consumer<SwapOut> onEnd;
    private final OffloadedBlocks.Swapped owner;
    private final int requested;    // blocks the scheduler asked to swap out
    private final int blockSize;
    private final int[] tokens;     // the computed tokens, whose KV the blocks hold
    private final BlockKey[] keys;  // (requested) each block's key
    private final int[] poolBlocks; // (requested) each block's pool block
    private final boolean[] stored; // (requested) blocks the tiers hold for this swap-out
    private final boolean[] pinned; // (requested)
    private int started;            // blocks held (shared or being read)
    private int settled;            // blocks known stored or not
    private boolean allStarted;
    private int written;
    private int shared;
    private int leading;            // leading blocks stored, once ended

    /**
     * @param rank      the planned next use of every block: before every block stored earlier
     * @param requested the leading blocks of {@code seq}'s table that hold computed KV
     */
    SwapOut(Sequence seq, long rank, int requested, int blockSize, OffloadedBlocks blocks, PendingBlockReads reads,
            TieredKvStore store, Consumer<SwapOut> onEnd) {
        this.blocks = blocks;
        this.reads = reads;
        this.store = store;
        this.onEnd = onEnd;
        this.owner = new OffloadedBlocks.Swapped(seq.id(), rank);
        this.requested = requested;
        this.blockSize = blockSize;
        // the last block holds the computed tokens that fall in it; KV written without the scheduler's count of
        // computed tokens (which then does not reach the last block) fills the blocks' every token
        int computed = seq.numComputedTokens() > (requested - 1) * blockSize ? seq.numComputedTokens()
                : seq.numTokens();
        this.tokens = new int[Math.min(computed, requested * blockSize)];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = seq.tokenAt(i);
        }
        this.keys = BlockKeys.of(tokens, tokens.length, blockSize);
        this.poolBlocks = new int[requested];
        for (int k = 0; k < requested; k++) {
            poolBlocks[k] = seq.blockTable().blockId(k);
        }
        this.stored = new boolean[requested];
        this.pinned = new boolean[requested];
    }

    /**
     * Holds the blocks, up to the first that can be neither shared nor read (a 4-bit block still being filled, or a
     * key taken by other tokens); the swap-out ends here when no read is pending.
     *
     * @return the blocks held
     */
    int start() {
        while (started < Math.min(requested, keys.length)) {
            int k = started;
            int length = Math.min(tokens.length, (k + 1) * blockSize);
            OffloadedBlocks.Hold hold = blocks.hold(keys[k], owner, tokens, length);
            if (hold == OffloadedBlocks.Hold.TAKEN) {
                break;
            }
            if (hold == OffloadedBlocks.Hold.WRITE && !reads.start(poolBlocks[k], payload -> read(k, payload))) {
                blocks.readDeclined(keys[k], owner);
                break;
            }
            started++;
            if (hold == OffloadedBlocks.Hold.SHARED) {
                shared++;
                settle(k, true);
            }
        }
        allStarted = true;
        endIfSettled();
        return started;
    }

    /** The blocks stored, from block 0, and who holds them; valid once ended. */
    List<BlockKey> storedKeys() {
        return List.of(keys).subList(0, leading);
    }

    OffloadedBlocks.Swapped owner() {
        return owner;
    }

    int requested() {
        return requested;
    }

    /** Blocks this swap-out wrote to the tiers. */
    int written() {
        return written;
    }

    /** Blocks found stored already and shared. */
    int shared() {
        return shared;
    }

    /** Block {@code k}, read: {@code payload} (blockBytes) holds it during the call. */
    private void read(int k, MemorySegment payload) {
        boolean earlierMissing = false;
        for (int j = 0; j < k; j++) {
            earlierMissing |= !stored[j];
        }
        if (earlierMissing) { // never restored: written only when another owner shares the read
            blocks.release(keys[k], owner);
        }
        boolean ok = blocks.write(keys[k], payload);
        if (ok) {
            written++;
        }
        settle(k, ok && !earlierMissing);
        endIfSettled();
    }

    private void settle(int k, boolean ok) {
        stored[k] = ok;
        pinned[k] = ok && store.pin(keys[k]);
        settled++;
    }

    private void endIfSettled() {
        if (!allStarted || settled < started) {
            return;
        }
        while (leading < started && stored[leading]) {
            leading++;
        }
        for (int k = 0; k < started; k++) {
            if (pinned[k]) {
                store.unpin(keys[k]);
            }
            if (k >= leading) {
                blocks.release(keys[k], owner); // at or after a block not stored: never restored
            }
        }
        onEnd.accept(this);
    }
}
