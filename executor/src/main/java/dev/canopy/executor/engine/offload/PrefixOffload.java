package dev.canopy.executor.engine.offload;

import dev.canopy.executor.kv.BlockHasher;
import dev.canopy.executor.kv.KvSequence;
import dev.canopy.executor.kv.PrefixSpill;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.sched.Sequence;
import dev.canopy.offload.BlockKey;
import dev.canopy.offload.NextUsePlan;
import dev.canopy.offload.TieredKvStore;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The engine's {@link PrefixSpill}: cached prefix blocks the pool evicts go to the offload tiers, and come back into
 * the pool when a sequence with that prefix is admitted. A prefix block is stored under the one key scheme
 * ({@link BlockKeys}: its chain hash), in {@link OffloadedBlocks} with the prefix cache as one of its owners: a block a
 * swapped-out sequence already stored is not written again, and a sequence's swap-in leaves the prefix cache's copy.
 * The tokens are kept beside each block and checked before a restore, so a hash collision costs a restore, never
 * correctness.
 *
 * <p>Plan-aware ({@link #plan}): the waiting queue, in admission order, says which prefixes will be read again and
 * when. An evicted block no waiting sequence starts with is dropped, not written, and a stored one the plan no longer
 * needs is marked so the tiers drop it first. Without the plan (LRU), every evicted block whose prefix is known is
 * written. Either way, a block already stored (by a swap-out, or earlier) is shared, not written twice, and one that
 * the next sequence to read it will swap back in anyway is not written at all. Blocks of the waiting sequences about
 * to be admitted are prefetched up to the first tier ({@link #addUpcomingKeys}).
 *
 * <p>Copies overlap the step: an evicted block's read is started ({@link PendingBlockReads}) and its bytes go to the
 * tiers after the step's forward pass; a restore starts the block's write and does not wait for it (the backend orders
 * the next forward after it). A restore of a block whose read is still pending finishes the pending reads first.
 *
 * <p>Used by the scheduler's thread only.
 */
final class PrefixOffload implements PrefixSpill {

    /**
     * Rank of the head of the waiting queue. Ranks of prefix blocks come after every swapped-out block's (below
     * MAX_STEP / 2): swapped sequences are readmitted first. Sequences preempted since the last plan rank just below.
     */
    private static final long FIRST_RANK = NextUsePlan.MAX_STEP / 2 + (1L << 40);

    private record Planned(Sequence user, long rank) {
    }

    private record Hashes(int numTokens, long[] chain) { // chain: (full blocks) hash of each leading prefix
    }

    private static final OffloadedBlocks.Owner OWNER = OffloadedBlocks.PrefixCache.INSTANCE;

    private final TieredKvStore store;
    private final OffloadedBlocks blocks;
    private final Backend backend;
    private final boolean planAware;
    private final int blockSize;
    private final MemorySegment staging; // (layers, 2, blockSize, kvDim) floats: one block being restored
    private final PendingBlockReads reads;
    private final Set<BlockKey> owned = new HashSet<>(); // blocks the prefix cache holds in the tiers
    private Map<BlockKey, Planned> planned = new HashMap<>(); // first waiting sequence reading each prefix block
    private Map<Long, Hashes> hashesBySequence = new HashMap<>();
    private long preemptedSincePlan;
    private long[] plannedIds = new long[0]; // (waiting sequences) ids of the last plan, in order
    private long evicted;
    private long written;
    private long dropped;
    private long alreadyStored;
    private long coveredBySwap;
    private long notStored;
    private long restored;
    private long restoredFromFirstTier;
    private long notRestored;

    /**
     * @param planAware whether to write only blocks the plan reads again (else every evicted block)
     * @param staging   (blockBytes) bytes of scratch, used only during calls
     * @param reads     where evicted blocks' reads wait for the end of the step
     */
    PrefixOffload(TieredKvStore store, OffloadedBlocks blocks, Backend backend, boolean planAware,
                  MemorySegment staging, PendingBlockReads reads) {
        this.store = store;
        this.blocks = blocks;
        this.backend = backend;
        this.planAware = planAware;
        this.blockSize = backend.blockSize();
        this.staging = staging;
        this.reads = reads;
    }

    /**
     * Takes the waiting queue in admission order as the plan: which prefix blocks are read next, and by whom. Stored
     * blocks are re-ranked (plan-aware: those no longer needed are marked to go first) and forgotten when the tiers
     * have dropped them. Does nothing when the queue is the same as at the last call (most decode steps).
     */
    void plan(List<Sequence> waiting) {
        if (sameSequences(waiting)) {
            return;
        }
        Map<BlockKey, Planned> next = new HashMap<>();
        Map<Long, Hashes> hashes = new HashMap<>();
        long rank = FIRST_RANK;
        for (Sequence seq : waiting) {
            long[] chain = chainHashes(seq, hashes);
            for (int k = 0; k < chain.length; k++) {
                next.putIfAbsent(BlockKeys.full(chain[k], k), new Planned(seq, rank));
            }
            rank++;
        }
        planned = next;
        hashesBySequence = hashes;
        preemptedSincePlan = 0;
        for (Iterator<BlockKey> it = owned.iterator(); it.hasNext(); ) {
            BlockKey key = it.next();
            if (blocks.isReading(key)) {
                continue;
            }
            if (store.tierOf(key).isEmpty()) {
                it.remove();
                blocks.release(key, OWNER);
            } else if (planned.containsKey(key)) {
                blocks.planPrefixUse(key, OptionalLong.of(planned.get(key).rank()), false);
            } else if (planAware) {
                blocks.planPrefixUse(key, OptionalLong.empty(), true);
            }
        }
    }

    /**
     * Plans {@code seq}, being preempted now (after the last {@link #plan}), as the next sequence to admit: it goes
     * back to the head of the waiting queue, and its blocks are about to be freed and possibly evicted.
     */
    void preempting(Sequence seq) {
        long[] chain = chainHashes(seq, hashesBySequence);
        long rank = FIRST_RANK - ++preemptedSincePlan;
        for (int k = 0; k < chain.length; k++) {
            planned.put(BlockKeys.full(chain[k], k), new Planned(seq, rank));
        }
    }

    @Override
    public void evicting(int block, int[] prefix) {
        evicted++;
        int index = prefix.length / blockSize - 1;
        BlockKey key = BlockKeys.full(chainHash(prefix, index + 1), index);
        Planned next = planned.get(key);
        boolean used = next != null && startsWith(next.user(), prefix);
        if (!used && planAware) {
            dropped++;
            return;
        }
        if (used && next.user().numSwappedTokens() >= prefix.length) { // its swap-in brings the block back
            coveredBySwap++;
            return;
        }
        int[] tokens = prefix.clone();
        OptionalLong nextUse = used ? OptionalLong.of(next.rank()) : OptionalLong.empty();
        switch (blocks.hold(key, OWNER, tokens, tokens.length)) {
            case SHARED -> { // stored already (by a swap-out, or earlier): one copy for both
                owned.add(key);
                alreadyStored++;
                blocks.planPrefixUse(key, nextUse, false);
            }
            case WRITE -> {
                owned.add(key);
                blocks.planPrefixUse(key, nextUse, false);
                if (!reads.start(block, payload -> write(key, payload))) {
                    owned.remove(key);
                    blocks.readDeclined(key, OWNER);
                    notStored++; // a 4-bit block still being filled: not swappable as it is
                }
            }
            case TAKEN -> notStored++; // another prefix with the same hash holds the key
        }
    }

    /** Writes an evicted block, read: {@code payload} holds it. */
    private void write(BlockKey key, MemorySegment payload) {
        if (blocks.write(key, payload)) {
            written++;
        } else {
            owned.remove(key);
            blocks.release(key, OWNER);
            notStored++;
        }
    }

    private boolean sameSequences(List<Sequence> waiting) {
        boolean same = waiting.size() == plannedIds.length && preemptedSincePlan == 0;
        for (int i = 0; same && i < plannedIds.length; i++) {
            same = waiting.get(i).id() == plannedIds[i];
        }
        if (!same) {
            plannedIds = waiting.stream().mapToLong(Sequence::id).toArray();
        }
        return same;
    }

    @Override
    public boolean restore(KvSequence seq, int index, int block) {
        long[] chain = seq instanceof Sequence s ? chainHashes(s, hashesBySequence) : null;
        long hash = chain != null && index < chain.length ? chain[index] : chainHash(tokens(seq, index + 1), index + 1);
        BlockKey key = BlockKeys.full(hash, index);
        if (blocks.isReading(key)) {
            reads.finishAll(); // evicted earlier in this step: its bytes are still on their way to the tiers
        }
        if (!blocks.holdsPrefixOf(key, seq, (index + 1) * blockSize)
                || !owned.contains(key) && swapInBringsBack(seq, (index + 1) * blockSize)) {
            return false; // not stored; or stored for this sequence's own swap-out, whose swap-in restores it
        }
        boolean inFirstTier = store.tierOf(key).orElse(-1) == 0;
        if (!blocks.load(key, staging)) {
            if (owned.remove(key)) {
                blocks.release(key, OWNER);
            }
            notRestored++;
            return false;
        }
        backend.writeBlockAsync(block, staging); // the next forward waits for it
        restored++;
        if (inFirstTier) {
            restoredFromFirstTier++;
        }
        return true;
    }

    /**
     * Adds to {@code out}, in order of need, the stored blocks {@code seq} (about to be admitted) will restore: those
     * after its {@code cachedBlocks} leading blocks cached in the pool, up to the first one not stored.
     */
    void addUpcomingKeys(Sequence seq, int cachedBlocks, List<BlockKey> out) {
        long[] chain = chainHashes(seq, hashesBySequence);
        for (int k = cachedBlocks; k < chain.length; k++) {
            BlockKey key = BlockKeys.full(chain[k], k);
            if (!blocks.isHeld(key)) {
                break;
            }
            out.add(key);
        }
    }

    /** The counters now. */
    PrefixOffloadMetrics metrics() {
        return new PrefixOffloadMetrics(evicted, written, dropped, alreadyStored, coveredBySwap, notStored, restored,
                restoredFromFirstTier, notRestored);
    }

    /**
     * Chain hashes of {@code seq}'s leading full blocks (all but the last token's block), reusing those of the last
     * plan while its tokens are the same, and recording them into {@code into}.
     */
    private long[] chainHashes(Sequence seq, Map<Long, Hashes> into) {
        Hashes h = hashesBySequence.get(seq.id());
        if (h == null || h.numTokens() != seq.numTokens()) {
            int full = (seq.numTokens() - 1) / blockSize;
            h = new Hashes(seq.numTokens(), BlockHasher.chainHashes(tokens(seq, full), full, blockSize));
        }
        into.put(seq.id(), h);
        return h.chain();
    }

    private long chainHash(int[] tokens, int blocks) {
        return BlockHasher.chainHashes(tokens, blocks, blockSize)[blocks - 1];
    }

    private int[] tokens(KvSequence seq, int blocks) {
        int[] t = new int[blocks * blockSize]; // (blocks * blockSize) leading token ids
        for (int i = 0; i < t.length; i++) {
            t[i] = seq.tokenAt(i);
        }
        return t;
    }

    private static boolean swapInBringsBack(KvSequence seq, int tokens) {
        return seq instanceof Sequence s && s.numSwappedTokens() >= tokens;
    }

    private static boolean startsWith(KvSequence seq, int[] prefix) {
        if (seq.numTokens() <= prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (seq.tokenAt(i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
