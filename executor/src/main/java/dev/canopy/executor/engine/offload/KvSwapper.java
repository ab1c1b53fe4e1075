package dev.canopy.executor.engine.offload;

import dev.canopy.executor.kv.PrefixSpill;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.ModelConfig;
import dev.canopy.executor.sched.Scheduler;
import dev.canopy.executor.sched.Sequence;
import dev.canopy.executor.sched.SwapSpace;
import dev.canopy.offload.BlockKey;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.NextUsePlan;
import dev.canopy.offload.Prefetcher;
import dev.canopy.offload.SpillFileSystem;
import dev.canopy.offload.SwapOrRecompute;
import dev.canopy.offload.TieredKvStore;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * The engine's {@link KvOffload}, its {@link SwapSpace} part: swaps preempted sequences' KV blocks between the
 * backend's pool and a {@link TieredKvStore}, each block named by its token content ({@link BlockKeys}) and held in
 * {@link OffloadedBlocks} with the sequence as one of its owners: a block already stored (a spilled prefix block, or
 * another sequence's block of the same tokens) is shared, not written again, and swapping one owner back in keeps the
 * copy the others still need.
 * Chooses swap or recompute with {@link SwapChoice} ({@link SwapOrRecompute}: the first tier's measured bandwidth
 * against the engine's measured FLOP rate). Plan-aware: a sequence swapped out later is admitted sooner (preempted sequences go back to the head of the
 * waiting queue), so each swap-out plans its blocks' next use before every block already stored, and the blocks of
 * the next sequences to swap in are prefetched up to the first tier while a step computes. The same store keeps the
 * prefix-cache blocks the pool evicts ({@link PrefixOffload}); their prefetch rides along.
 *
 * <p>Copies overlap the step (see {@link Backend#readBlockAsync}): a swap-out starts reading all of a victim's blocks
 * while the scheduler builds the step and returns at once, counting them stored; the step's forward pass runs (on a
 * GPU, while the copies run on their own stream: the forward waits on the device only for copies of blocks it
 * overwrites), and {@link #finishPendingReads()}, called after it, awaits the reads and writes the blocks to the
 * tiers. A block the tiers then refuse is forgotten with the blocks after it, and the swap-in recomputes from there
 * (as the {@link SwapSpace} contract allows). A swap-in starts the writes of its blocks and never waits for them:
 * the backend orders the next forward after them. A sequence swapped in or discarded while its swap-out is still
 * pending first finishes the pending reads.
 *
 * <p>Used by the scheduler's thread only (prefetches run on the store's threads).
 */
final class KvSwapper implements KvOffload {

    private static final int PREFETCH_IN_FLIGHT = 4;
    /** Waiting sequences, next in line to be admitted, whose offloaded blocks are prefetched during a step. */
    private static final int PREFETCH_SEQUENCES = 4;
    /** Waiting sequences, next in line, whose prefixes the plan of which evicted prefix blocks to keep looks at. */
    private static final int PLAN_HORIZON = 1024;

    private final Backend backend;
    private final TieredKvStore store;
    private final Prefetcher prefetcher; // null: LRU, no prefetch
    private final OffloadedBlocks blocks;
    private final PrefixOffload prefixes;
    private final SwapChoice choice;
    private final long blockBytes;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment staging; // (blockBytes) one block being swapped in, as the backend's cache stores it
    private final PendingBlockReads reads;
    private final Map<Long, SwappedOut> swapped = new HashMap<>(); // sequence id -> its leading blocks stored
    private final Map<Long, SwapOut> swappingOut = new HashMap<>(); // sequence id -> its swap-out's reads pending
    private long nextUseRank = NextUsePlan.MAX_STEP / 2; // decreases: the latest swap-out is swapped in first
    private long swapOuts;
    private long swapIns;
    private long blocksSwappedOut;
    private long blocksShared;
    private long blocksSwappedIn;
    private long blocksNotStored;
    private long blocksNotRestored;

    private KvSwapper(OffloadConfig config, ModelConfig model, Backend backend, TieredKvStore store) {
        this.choice = new SwapChoice(config.preemption(), model);
        this.backend = backend;
        this.store = store;
        this.blockBytes = store.blockBytes();
        this.staging = arena.allocate(blockBytes, 64);
        this.reads = new PendingBlockReads(backend, blockBytes);
        boolean planAware = config.policy() == EvictionPolicyKind.PLAN_AWARE && store.tiers().size() > 1;
        this.prefetcher = planAware ? new Prefetcher(store, PREFETCH_IN_FLIGHT) : null;
        this.blocks = new OffloadedBlocks(store, reads::finishAll);
        this.prefixes = new PrefixOffload(store, blocks, backend, config.policy() == EvictionPolicyKind.PLAN_AWARE,
                arena.allocate(blockBytes, 64), reads);
    }

    /** A swapper over the tiers {@code config} names, for blocks of {@code backend}'s pool. */
    static KvSwapper open(OffloadConfig config, ModelConfig model, Backend backend, SpillFileSystem spillFiles) {
        long blockBytes = backend.blockBytes();
        TieredKvStore store = new TieredKvStore(config.openTiers(blockBytes, spillFiles), config.policy(), 2);
        return new KvSwapper(config, model, backend, store);
    }

    @Override
    public boolean shouldSwap(Sequence seq, int blocks) {
        prefixes.preempting(seq); // asked at every preemption that frees computed blocks
        return choice.swap(blocks * blockBytes, seq.numComputedTokens(), store.stats().tiers().getFirst());
    }

    /**
     * Starts reading the leading {@code blocks} blocks of {@code seq} (up to the first the backend declines); they are
     * written to the tiers by {@link #finishPendingReads()}.
     *
     * @return the blocks being stored
     */
    @Override
    public int swapOut(Sequence seq, int blocks) {
        SwapOut out = new SwapOut(seq, nextUseRank--, blocks, backend.blockSize(), this.blocks, reads, store,
                this::swapOutEnded);
        swappingOut.put(seq.id(), out);
        return out.start();
    }

    @Override
    public int swapIn(Sequence seq, int fromBlock, int toBlock) {
        if (swappingOut.containsKey(seq.id())) {
            reads.finishAll(); // readmitted in the step that swapped it out
        }
        SwappedOut out = swapped.get(seq.id());
        int stored = out == null ? 0 : Math.min(toBlock, out.keys().size());
        int restored = 0;
        for (int k = fromBlock; k < stored; k++) {
            if (!blocks.load(out.keys().get(k), staging)) {
                break;
            }
            backend.writeBlockAsync(seq.blockTable().blockId(k), staging); // the next forward waits for it
            restored++;
        }
        blocksSwappedIn += restored;
        blocksNotRestored += Math.max(0, stored - fromBlock - restored);
        if (restored > 0) {
            swapIns++;
        }
        discard(seq);
        return restored;
    }

    /** Releases every stored block of {@code seq}: a block another owner holds (the prefix cache) stays stored. */
    @Override
    public void discard(Sequence seq) {
        if (swappingOut.containsKey(seq.id())) {
            reads.finishAll();
        }
        SwappedOut out = swapped.remove(seq.id());
        if (out != null) {
            out.keys().forEach(key -> blocks.release(key, out.owner()));
        }
    }

    /** Counts a swap-out whose blocks are all settled, and keeps the keys of its leading stored blocks. */
    private void swapOutEnded(SwapOut out) {
        long id = out.owner().sequenceId();
        swappingOut.remove(id);
        List<BlockKey> keys = out.storedKeys();
        blocksSwappedOut += out.written();
        blocksShared += out.shared();
        blocksNotStored += out.requested() - keys.size();
        if (!keys.isEmpty()) {
            swapOuts++;
            swapped.put(id, new SwappedOut(out.owner(), keys));
        }
    }

    /**
     * Awaits the block reads started while the last step was scheduled (swap-outs, evicted prefix blocks) and writes
     * the blocks to the tiers. Called after the step's forward pass, so that the copies overlap it.
     */
    void finishPendingReads() {
        reads.finishAll();
    }

    /** Blocks being read out of the pool, waiting for {@link #finishPendingReads()}. */
    int pendingReads() {
        return reads.size();
    }

    @Override
    public PrefixSpill prefixSpill() {
        return prefixes;
    }

    /** Takes the waiting queue, in admission order, as the plan of which prefix blocks are read again. */
    @Override
    public void beforeSchedule(Scheduler scheduler) {
        prefixes.plan(scheduler.nextToAdmit(PLAN_HORIZON));
    }

    /**
     * Starts moving the blocks of the next sequences to admit up to the first tier, while the forward computes: their
     * swapped-out blocks, then the stored prefix blocks after those cached in the pool.
     */
    @Override
    public void beforeForward(Scheduler scheduler) {
        prefetch(scheduler.nextToAdmit(PREFETCH_SEQUENCES), scheduler.blockManager()::cachedPrefixBlocks);
    }

    @Override
    public void afterForward(int tokens, long nanos) {
        choice.recordForward(tokens, nanos);
        finishPendingReads(); // the step's swap-out copies ran beside its forward
    }

    @Override
    public void afterEmptyStep() {
        finishPendingReads();
    }

    @Override
    public Optional<SwapMetrics> swapMetrics() {
        return Optional.of(metrics());
    }

    /**
     * Starts moving the blocks of {@code upcoming} (the next sequences to admit, in order) up to the first tier: their
     * swapped-out blocks, then the stored prefix blocks after the {@code cachedBlocks} of each cached in the pool.
     */
    private void prefetch(List<Sequence> upcoming, ToIntFunction<Sequence> cachedBlocks) {
        if (prefetcher == null) {
            return;
        }
        List<BlockKey> keys = new ArrayList<>();
        for (Sequence seq : upcoming) {
            SwappedOut out = swapped.get(seq.id());
            if (out != null) {
                keys.addAll(out.keys());
            } else {
                prefixes.addUpcomingKeys(seq, cachedBlocks.applyAsInt(seq), keys);
            }
        }
        if (!keys.isEmpty() || prefetcher.queued() > 0) {
            prefetcher.request(keys);
        }
    }

    /** The counters now. */
    SwapMetrics metrics() {
        return new SwapMetrics(choice.swaps(), choice.recomputes(), swapOuts, swapIns, blocksSwappedOut, blocksShared,
                blocksSwappedIn, blocksNotStored, blocksNotRestored, prefixes.metrics(), store.stats());
    }

    /** Blocks in the tiers: each stored once, whoever holds it. */
    int storedBlocks() {
        return store.size();
    }

    @Override
    public void close() {
        try {
            reads.close();
        } finally {
            store.close();
            arena.close();
        }
    }

    /** A swapped-out sequence's leading stored blocks, held as {@code owner}. */
    private record SwappedOut(OffloadedBlocks.Swapped owner, List<BlockKey> keys) {
    }
}
