package dev.canopy.executor.kv;

import static dev.canopy.executor.kv.PrefixCache.NO_BLOCK;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * KV cache bookkeeping in fixed-size blocks: hands out physical block ids from a pool of
 * {@code numBlocks} (the KV memory itself belongs to the runner), keeps each sequence's {@link BlockTable},
 * reference-counts blocks shared between sequences, and (when prefix caching is on) lets a sequence reuse
 * the computed KV of any earlier sequence that started with the same full blocks of tokens.
 *
 * <p>Life of a block: taken from the free list for a sequence; written by forward passes; once full and
 * computed ({@link #markComputed}) it is named by its chain hash and can be shared; when its last holder is
 * freed it goes back to the free list but keeps its content, so a later prompt can revive it, until the
 * block is taken for new content. A write into a shared block first copies it ({@link BlockCopy}).
 *
 * <p>With a {@link PrefixSpill}, a cached block about to be taken for new content is first offered to it (with the
 * tokens of its whole prefix), and an allocation whose cached prefix ends early asks it for the next blocks: each one
 * it restores counts as cached and is named in the prefix cache again.
 *
 * <p>Operations cost O(blocks touched); nothing scans the pool except {@link #checkInvariants()}.
 * Not thread-safe: the scheduler drives it from one thread.
 */
public final class BlockManager {

    private final BlockManagerConfig config;
    private final int blockSize;
    private final int[] refCount; // (numBlocks) number of block tables holding each block
    private final FreeBlockList freeList;
    private final PrefixCache cache;
    private final PrefixSpill spill;
    private final Set<BlockTable> liveTables = Collections.newSetFromMap(new IdentityHashMap<>());
    private final int[] matched; // (numBlocks) blocks found by the last prefix lookup, in position order
    private long lookups;
    private long queriedTokens;
    private long hitTokens;
    private long mergedBlocks;
    private long restoredBlocks;

    /** A pool using the default {@link BlockHasher}. */
    public BlockManager(BlockManagerConfig config) {
        this(config, BlockHasher.DEFAULT);
    }

    /** A pool naming blocks with {@code hasher} (tests pass colliding hashers). */
    public BlockManager(BlockManagerConfig config, BlockHasher hasher) {
        this(config, hasher, PrefixSpill.NONE);
    }

    /** A pool that offers evicted cached blocks to {@code spill} and restores prefixes from it. */
    public BlockManager(BlockManagerConfig config, BlockHasher hasher, PrefixSpill spill) {
        this.spill = Objects.requireNonNull(spill, "spill");
        this.config = Objects.requireNonNull(config, "config");
        blockSize = config.blockSize();
        refCount = new int[config.numBlocks()];
        freeList = new FreeBlockList(config.numBlocks());
        cache = new PrefixCache(config.numBlocks(), blockSize, Objects.requireNonNull(hasher, "hasher"));
        matched = new int[config.numBlocks()];
    }

    public BlockManagerConfig config() {
        return config;
    }

    public int blockSize() {
        return blockSize;
    }

    public int numBlocks() {
        return refCount.length;
    }

    /** Blocks no sequence holds (cached content included: it can still be revived or overwritten). */
    public int freeBlockCount() {
        return freeList.size();
    }

    /** Blocks held by at least one sequence. */
    public int usedBlockCount() {
        return refCount.length - freeList.size();
    }

    /** Blocks currently named in the prefix cache, held or free. */
    public int cachedBlockCount() {
        return cache.size();
    }

    /** Blocks needed to hold {@code numTokens} positions. */
    public int blocksFor(int numTokens) {
        return (numTokens + blockSize - 1) / blockSize;
    }

    /** The KV slot of {@code position} of {@code seq}: {@code blockId * blockSize + position % blockSize}. */
    public int slotOf(KvSequence seq, int position) {
        return seq.blockTable().blockId(position / blockSize) * blockSize + position % blockSize;
    }

    /** Blocks of allocated prefixes that the {@link PrefixSpill} restored into the pool so far. */
    public long restoredBlockCount() {
        return restoredBlocks;
    }

    /**
     * How many leading full blocks of {@code seq}'s tokens the prefix cache holds now (what {@link #allocate} would
     * share, before asking the {@link PrefixSpill} for more). Changes nothing.
     */
    public int cachedPrefixBlocks(KvSequence seq) {
        return matchCachedPrefix(seq);
    }

    /** Counters of the prefix cache so far. */
    public PrefixCacheStats prefixCacheStats() {
        return new PrefixCacheStats(lookups, queriedTokens, hitTokens, mergedBlocks);
    }

    /** Whether {@link #allocate} would succeed now for {@code seq}, whose table must be empty. Changes nothing. */
    public boolean canAllocate(KvSequence seq) {
        return canAllocate(seq, Integer.MAX_VALUE);
    }

    /** Whether {@link #allocate(KvSequence, int)} would succeed now. Changes nothing. */
    public boolean canAllocate(KvSequence seq, int maxCachedBlocks) {
        requireEmptyTable(seq, "allocate");
        return freeBlocksNeeded(seq, Math.min(maxCachedBlocks, matchCachedPrefix(seq))) <= freeList.size();
    }

    /**
     * Gives {@code seq} (empty table) blocks for all its tokens: first the longest cached prefix of full blocks,
     * shared, then fresh blocks, the first of which the {@link PrefixSpill} may fill with kept prefix blocks. The
     * cached prefix stops before the block holding the last token, so at least one token is left to compute and its
     * logits exist.
     *
     * @return the number of leading tokens whose KV is already there (a multiple of the block size); the caller
     *     starts computing at that position
     * @throws IllegalStateException when the blocks do not fit (check {@link #canAllocate} first)
     */
    public int allocate(KvSequence seq) {
        return allocate(seq, Integer.MAX_VALUE);
    }

    /**
     * {@link #allocate(KvSequence)} sharing at most {@code maxCachedBlocks} leading blocks, cached or restored: the
     * caller computes the rest (a second pool whose cached prefix ends earlier needs those positions recomputed).
     */
    public int allocate(KvSequence seq, int maxCachedBlocks) {
        requireEmptyTable(seq, "allocate");
        int hits = Math.min(maxCachedBlocks, matchCachedPrefix(seq));
        int needed = freeBlocksNeeded(seq, hits);
        if (needed > freeList.size()) {
            throw new IllegalStateException("Cannot allocate KV blocks for a sequence of " + seq.numTokens()
                    + " tokens: it needs " + needed + " free blocks but " + freeList.size() + " are free");
        }
        BlockTable table = seq.blockTable();
        for (int i = 0; i < hits; i++) {
            acquire(matched[i]);
            table.add(matched[i]);
        }
        for (int i = hits; i < blocksFor(seq.numTokens()); i++) {
            table.add(takeFreshBlock());
        }
        int restored = restoreFromSpill(seq, table, hits, maxCachedBlocks);
        table.setNumCommittedBlocks(hits + restored);
        liveTables.add(table);
        if (config.prefixCaching()) {
            lookups++;
            queriedTokens += seq.numTokens();
            hitTokens += (long) hits * blockSize;
        }
        return (hits + restored) * blockSize;
    }

    /**
     * Whether {@link #allocateCached} would succeed now: the cached blocks it revives from the free list fit. Changes
     * nothing.
     */
    public boolean canAllocateCached(KvSequence seq, int maxCachedBlocks) {
        requireEmptyTable(seq, "allocate");
        int hits = Math.min(maxCachedBlocks, matchCachedPrefix(seq));
        return freeBlocksNeeded(seq, hits) - (blocksFor(seq.numTokens()) - hits) <= freeList.size();
    }

    /**
     * Gives {@code seq} (empty table) only the longest cached prefix of full blocks (at most {@code maxCachedBlocks}),
     * shared; {@link #appendSlots} adds the other blocks as the steps write them. For a pool whose sequences give
     * blocks back as they advance ({@link #releaseOutOfWindow}): a long prompt then never holds all its blocks at once.
     *
     * @return the number of leading tokens whose KV is already there (a multiple of the block size)
     * @throws IllegalStateException when the revived blocks do not fit (check {@link #canAllocateCached} first)
     */
    public int allocateCached(KvSequence seq, int maxCachedBlocks) {
        if (!canAllocateCached(seq, maxCachedBlocks)) {
            throw new IllegalStateException("Cannot share the cached prefix of a sequence of " + seq.numTokens()
                    + " tokens: only " + freeList.size() + " blocks are free; check canAllocateCached first");
        }
        int hits = Math.min(maxCachedBlocks, matchCachedPrefix(seq));
        BlockTable table = seq.blockTable();
        for (int i = 0; i < hits; i++) {
            acquire(matched[i]);
            table.add(matched[i]);
        }
        table.setNumCommittedBlocks(hits);
        liveTables.add(table);
        return hits * blockSize;
    }

    /** Asks the spill for the blocks after the {@code hits} cached ones, naming each restored one; returns how many. */
    private int restoreFromSpill(KvSequence seq, BlockTable table, int hits, int maxCachedBlocks) {
        if (!config.prefixCaching()) {
            return 0;
        }
        // the block of the last token is always computed
        int maxBlocks = Math.min(maxCachedBlocks, (seq.numTokens() - 1) / blockSize);
        int prev = hits == 0 ? NO_BLOCK : table.blockId(hits - 1);
        int k = hits;
        while (k < maxBlocks && spill.restore(seq, k, table.blockId(k))) {
            int block = table.blockId(k);
            cache.register(block, cache.hash(seq, k, prev), prev);
            prev = block;
            k++;
        }
        restoredBlocks += k - hits;
        return k - hits;
    }

    /** Whether {@link #appendSlots} would succeed now for the next {@code numNewTokens} positions. Changes nothing. */
    public boolean canAppend(KvSequence seq, int numNewTokens) {
        checkWriteRange(seq, numNewTokens);
        BlockTable table = seq.blockTable();
        int needed = 0;
        for (int k = seq.numComputedTokens() / blockSize; k <= lastBlockWritten(seq, numNewTokens); k++) {
            if (k >= table.size() || refCount[table.blockId(k)] > 1) {
                needed++;
            }
        }
        return needed <= freeList.size();
    }

    /**
     * Prepares {@code seq}'s table for writing KV at positions {@code [numComputedTokens, +numNewTokens)}: adds
     * blocks where the table is too short and replaces every shared block in the range by a private copy.
     *
     * @return the copies the runner must apply, in order, before the forward pass
     * @throws IllegalStateException when the pool runs out (check {@link #canAppend} first)
     */
    public List<BlockCopy> appendSlots(KvSequence seq, int numNewTokens) {
        if (!canAppend(seq, numNewTokens)) {
            throw new IllegalStateException("Cannot append " + numNewTokens + " KV slots at position "
                    + seq.numComputedTokens() + ": only " + freeList.size() + " blocks are free");
        }
        BlockTable table = seq.blockTable();
        List<BlockCopy> copies = new ArrayList<>(0);
        for (int k = seq.numComputedTokens() / blockSize; k <= lastBlockWritten(seq, numNewTokens); k++) {
            if (k == table.size()) {
                table.add(takeFreshBlock());
                continue;
            }
            int block = table.blockId(k);
            if (refCount[block] > 1) {
                int copy = takeFreshBlock();
                refCount[block]--;
                table.set(k, copy);
                copies.add(new BlockCopy(block, copy));
            } else if (cache.isCached(block)) {
                cache.replaceContent(block); // sole holder rewrites it: its cached name no longer holds
            }
        }
        return copies;
    }

    /**
     * Offers to the prefix cache every block of {@code seq} that is now full and computed (call after the forward
     * pass advanced {@code numComputedTokens}). A block identical to an already cached one is merged into it: the
     * table points to the cached block and the duplicate is freed.
     */
    public void markComputed(KvSequence seq) {
        BlockTable table = seq.blockTable();
        int full = Math.min(seq.numComputedTokens() / blockSize, table.size());
        for (int k = table.numCommittedBlocks(); k < full; k++) {
            if (config.prefixCaching() && !table.isReleased(k)) {
                commitBlock(seq, table, k);
            }
            table.setNumCommittedBlocks(k + 1);
        }
    }

    /**
     * Releases the leading blocks of {@code seq} that no remaining query can see when its layers attend over a
     * sliding window of {@code window} tokens: the next query sits at {@code numComputedTokens} and sees positions
     * from {@code numComputedTokens - window + 1} on, and every later query sees less. Only committed blocks are
     * released ({@link #markComputed} first); a cached one keeps its prefix-cache name in the free list, so a later
     * prompt can still revive the chain until the block is taken for new content, and a chain whose block was taken
     * ends there (the later prompt recomputes from that block on). Released entries stay in the table as holes.
     * Call before {@link #canAppend}/{@link #appendSlots} of the next step: a decoding sequence then holds at most
     * {@code blocksFor(window) + 1} blocks, the window and one block.
     *
     * @return how many blocks this call released
     * @throws IllegalArgumentException when {@code window} is not positive
     */
    public int releaseOutOfWindow(KvSequence seq, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("Cannot release KV blocks outside a sliding window of " + window
                    + " tokens: the window must be at least 1 token");
        }
        BlockTable table = seq.blockTable();
        long firstSeen = (long) seq.numComputedTokens() - window + 1; // first position the next query sees
        int dead = (int) Math.min(table.numCommittedBlocks(), Math.max(0L, firstSeen / blockSize));
        int from = table.numReleasedBlocks();
        for (int k = dead - 1; k >= from; k--) { // last first, as in free: a prefix outlives its continuations
            release(table.blockId(k));
        }
        if (dead > from) {
            table.setNumReleasedBlocks(dead);
        }
        return Math.max(0, dead - from);
    }

    /**
     * Makes {@code child} (empty table) share {@code parent}'s blocks for the child's tokens, whose KV must be the
     * parent's (same prompt). Later writes into the shared blocks copy them first. Set the child's computed token
     * count before calling.
     */
    public void fork(KvSequence parent, KvSequence child) {
        requireEmptyTable(child, "fork");
        BlockTable from = parent.blockTable();
        BlockTable to = child.blockTable();
        int n = blocksFor(child.numTokens());
        if (from.size() < n || child.numComputedTokens() > parent.numComputedTokens()) {
            throw new IllegalStateException("Cannot fork a sequence: the child has " + child.numTokens() + " tokens ("
                    + child.numComputedTokens() + " computed) but the parent has " + from.size() + " blocks and "
                    + parent.numComputedTokens() + " computed tokens");
        }
        for (int k = 0; k < n; k++) {
            int block = from.isReleased(k) ? NO_BLOCK : from.blockId(k);
            if (block != NO_BLOCK) {
                acquire(block);
            }
            to.add(block);
        }
        to.setNumReleasedBlocks(Math.min(n, from.numReleasedBlocks()));
        to.setNumCommittedBlocks(Math.min(from.numCommittedBlocks(), child.numComputedTokens() / blockSize));
        liveTables.add(to);
    }

    /** Releases all of {@code seq}'s blocks (cached ones stay revivable) and empties its table. */
    public void free(KvSequence seq) {
        BlockTable table = seq.blockTable();
        for (int k = table.size() - 1; k >= table.numReleasedBlocks(); k--) { // last first: a prefix outlives
            release(table.blockId(k));                                         // its continuations
        }
        table.clear();
        liveTables.remove(table);
    }

    /**
     * Checks the accounting: each block's reference count equals the number of tables holding it, the free
     * list holds exactly the unreferenced blocks, and the prefix cache is consistent.
     *
     * @throws IllegalStateException naming the first broken rule
     */
    public void checkInvariants() {
        int[] holders = new int[refCount.length]; // (numBlocks) tables holding each block
        for (BlockTable table : liveTables) {
            for (int k = table.numReleasedBlocks(); k < table.size(); k++) {
                holders[table.blockId(k)]++;
            }
        }
        for (int block = 0; block < refCount.length; block++) {
            if (holders[block] != refCount[block]) {
                throw new IllegalStateException("Broken block accounting: block " + block + " has reference count "
                        + refCount[block] + " but " + holders[block] + " block tables hold it");
            }
            if ((refCount[block] == 0) != freeList.contains(block)) {
                throw new IllegalStateException("Broken block accounting: block " + block + " has reference count "
                        + refCount[block] + " but is " + (freeList.contains(block) ? "" : "not ") + "in the free list");
            }
        }
        cache.checkInvariants();
    }

    private void commitBlock(KvSequence seq, BlockTable table, int k) {
        int block = table.blockId(k);
        if (k > 0 && table.isReleased(k - 1)) {
            return; // its predecessor left the sliding window: its block may hold other content by now
        }
        int prev = k == 0 ? NO_BLOCK : table.blockId(k - 1);
        if (cache.isCached(block) || (prev != NO_BLOCK && !cache.isCached(prev))) {
            return; // already named (a prefix hit), or its predecessor has no name to chain from
        }
        long hash = cache.hash(seq, k, prev);
        int twin = cache.find(hash, prev);
        if (twin == NO_BLOCK) {
            cache.register(block, hash, prev);
        } else {
            acquire(twin);
            table.set(k, twin);
            release(block);
            mergedBlocks++;
        }
    }

    private int matchCachedPrefix(KvSequence seq) {
        if (!config.prefixCaching()) {
            return 0;
        }
        int maxHits = Math.min((seq.numTokens() - 1) / blockSize, matched.length);
        int hits = 0;
        int prev = NO_BLOCK;
        while (hits < maxHits) {
            int block = cache.find(cache.hash(seq, hits, prev), prev);
            if (block == NO_BLOCK) {
                break;
            }
            matched[hits++] = block;
            prev = block;
        }
        return hits;
    }

    private int freeBlocksNeeded(KvSequence seq, int hits) {
        int needed = blocksFor(seq.numTokens()) - hits;
        for (int i = 0; i < hits; i++) {
            if (refCount[matched[i]] == 0) {
                needed++; // revived from the free list
            }
        }
        return needed;
    }

    private int lastBlockWritten(KvSequence seq, int numNewTokens) {
        return (seq.numComputedTokens() + numNewTokens - 1) / blockSize;
    }

    private void checkWriteRange(KvSequence seq, int numNewTokens) {
        int first = seq.numComputedTokens();
        BlockTable table = seq.blockTable();
        if (numNewTokens < 1 || first + numNewTokens > seq.numTokens()) {
            throw new IllegalArgumentException("Cannot write KV for " + numNewTokens + " tokens at position " + first
                    + ": the sequence has " + seq.numTokens() + " tokens (at least 1 must be written)");
        }
        if (!liveTables.contains(table) || first / blockSize > table.size()
                || table.numCommittedBlocks() > first / blockSize) {
            throw new IllegalStateException("Cannot write KV at position " + first + ": the block table " + table
                    + " (" + table.numCommittedBlocks() + " committed) does not end at that position");
        }
    }

    private void requireEmptyTable(KvSequence seq, String action) {
        if (!seq.blockTable().isEmpty()) {
            throw new IllegalStateException("Cannot " + action + " blocks: the sequence already holds blocks "
                    + seq.blockTable());
        }
        if (seq.numTokens() < 1) {
            throw new IllegalArgumentException("Cannot " + action + " blocks: the sequence has no tokens");
        }
    }

    private int takeFreshBlock() {
        int block = freeList.popHead();
        if (cache.isCached(block)) {
            cache.prefixTokens(block).ifPresent(prefix -> spill.evicting(block, prefix));
        }
        cache.replaceContent(block);
        refCount[block] = 1;
        return block;
    }

    private void acquire(int block) {
        if (refCount[block]++ == 0) {
            freeList.remove(block); // revived
        }
    }

    private void release(int block) {
        if (--refCount[block] == 0) {
            if (cache.isCached(block)) {
                freeList.pushTail(block);
            } else {
                freeList.pushHead(block);
            }
        }
    }
}
