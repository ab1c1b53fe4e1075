package dev.canopy.executor.kv;

import java.util.Objects;

/**
 * KV bookkeeping of a model whose local layers attend over a sliding window of {@code window} tokens and whose
 * global layers attend over the whole sequence: two {@link BlockManager} pools of the same block size, one per layer
 * group. The global pool holds every position of a sequence; the local pool gives back the blocks that no remaining
 * query can see ({@link BlockManager#releaseOutOfWindow}), so a long sequence holds at most the window and one block
 * of local KV, and the local layers' KV memory is sized for windows, not contexts.
 *
 * <p>The prefix cache works in both pools with the same chain hashes. A sequence reuses a cached prefix only as far as
 * <em>both</em> pools still hold it: a local block taken for new content after it left the window ends the usable
 * prefix there, and the sequence computes the rest. (So a {@link PrefixSpill} of the global pool restores nothing
 * here: the local pool has no spilled copy to match.) Not thread-safe, like the pools.
 */
public final class WindowedBlocks {

    private final BlockManager global;
    private final BlockManager local;
    private final int window;

    /**
     * @throws IllegalArgumentException when the pools differ in block size or prefix caching, or the window is not
     *     positive
     */
    public WindowedBlocks(BlockManager global, BlockManager local, int window) {
        this.global = Objects.requireNonNull(global, "global");
        this.local = Objects.requireNonNull(local, "local");
        if (global.blockSize() != local.blockSize()
                || global.config().prefixCaching() != local.config().prefixCaching() || window < 1) {
            throw new IllegalArgumentException("Cannot pair KV pools for a sliding window of " + window
                    + " tokens: both pools need the same block size and prefix caching (global " + global.config()
                    + ", local " + local.config() + ") and the window at least 1 token");
        }
        this.window = window;
    }

    /** The pool of the global layers (every position of every sequence). */
    public BlockManager global() {
        return global;
    }

    /** The pool of the local layers (each sequence's window). */
    public BlockManager local() {
        return local;
    }

    public int window() {
        return window;
    }

    /** Whether {@link #allocate} would succeed now in both pools. Changes nothing. */
    public boolean canAllocate(WindowedKvSequence seq) {
        int shared = sharedPrefixBlocks(seq);
        return global.canAllocate(seq, shared) && local.canAllocate(seq.localView(), shared);
    }

    /**
     * Gives {@code seq} (both tables empty) blocks in both pools, sharing the cached prefix both still hold.
     *
     * @return the leading tokens whose KV both pools already hold; the caller computes from there
     */
    public int allocate(WindowedKvSequence seq) {
        if (!canAllocate(seq)) {
            throw new IllegalStateException("Cannot allocate KV blocks for a sequence of " + seq.numTokens()
                    + " tokens: " + global.freeBlockCount() + " global and " + local.freeBlockCount()
                    + " local blocks are free; check canAllocate first");
        }
        int shared = sharedPrefixBlocks(seq); // both pools hold at least this many: each shares exactly these
        local.allocate(seq.localView(), shared);
        return global.allocate(seq, shared);
    }

    /**
     * Releases the local blocks of {@code seq} that no remaining query can see; call after {@link #markComputed} and
     * before {@link #canAppend} of the next step.
     *
     * @return how many local blocks went back to the pool
     */
    public int releaseOutOfWindow(WindowedKvSequence seq) {
        return local.releaseOutOfWindow(seq.localView(), window);
    }

    /** Whether {@link #appendSlots} would succeed now in both pools. Changes nothing. */
    public boolean canAppend(WindowedKvSequence seq, int numNewTokens) {
        return global.canAppend(seq, numNewTokens) && local.canAppend(seq.localView(), numNewTokens);
    }

    /** {@link BlockManager#appendSlots} in both pools; returns each pool's copies. */
    public WindowedCopies appendSlots(WindowedKvSequence seq, int numNewTokens) {
        if (!canAppend(seq, numNewTokens)) {
            throw new IllegalStateException("Cannot append " + numNewTokens + " KV slots at position "
                    + seq.numComputedTokens() + ": " + global.freeBlockCount() + " global and "
                    + local.freeBlockCount() + " local blocks are free; check canAppend first");
        }
        return new WindowedCopies(global.appendSlots(seq, numNewTokens),
                local.appendSlots(seq.localView(), numNewTokens));
    }

    /** {@link BlockManager#markComputed} in both pools. */
    public void markComputed(WindowedKvSequence seq) {
        global.markComputed(seq);
        local.markComputed(seq.localView());
    }

    /** {@link BlockManager#fork} in both pools: the child shares the parent's held blocks and its released entries. */
    public void fork(WindowedKvSequence parent, WindowedKvSequence child) {
        global.fork(parent, child);
        local.fork(parent.localView(), child.localView());
    }

    /** Releases all of {@code seq}'s blocks in both pools. */
    public void free(WindowedKvSequence seq) {
        global.free(seq);
        local.free(seq.localView());
    }

    /** {@link BlockManager#checkInvariants} of both pools. */
    public void checkInvariants() {
        global.checkInvariants();
        local.checkInvariants();
    }

    private int sharedPrefixBlocks(WindowedKvSequence seq) {
        return Math.min(global.cachedPrefixBlocks(seq), local.cachedPrefixBlocks(seq.localView()));
    }
}
