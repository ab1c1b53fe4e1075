package dev.canopy.executor.engine;

import dev.canopy.executor.kv.BlockHasher;
import dev.canopy.executor.kv.KvSequence;
import dev.canopy.executor.kv.PrefixSpill;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.sched.Sequence;
import dev.canopy.offload.BlockKey;
import dev.canopy.offload.NextUsePlan;
import dev.canopy.offload.TieredKvStore;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The engine's {@link PrefixSpill}: cached prefix blocks the pool evicts go to the offload tiers, and come back into
 * the pool when a sequence with that prefix is admitted. A prefix block is stored as {@code BlockKey(owner, k)}, the
 * owner being the chain hash of its tokens with the top bit set (sequence ids, which name swapped-out blocks in the
 * same store, never have it); the tokens are kept beside it and checked before a restore, so a hash collision costs a
 * restore, never correctness.
 *
 * <p>Plan-aware ({@link #plan}): the waiting queue, in admission order, says which prefixes will be read again and
 * when. An evicted block no waiting sequence starts with is dropped, not written, and a stored one the plan no longer
 * needs is marked so the tiers drop it first. Without the plan (LRU), every evicted block whose prefix is known is
 * written. Either way, a block that the next sequence to read it will swap back in anyway is not written twice. Blocks of the waiting sequences
 * about to be admitted are prefetched up to the first tier ({@link #addUpcomingKeys}).
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

    private final TieredKvStore store;
    private final Backend backend;
    private final boolean planAware;
    private final int blockSize;
    private final MemorySegment staging; // (layers, 2, blockSize, kvDim) floats: one block being restored
    private final PendingBlockReads reads;
    private final Map<BlockKey, int[]> stored = new HashMap<>(); // prefix tokens of each block written
    private final Set<BlockKey> reading = new HashSet<>(); // evicted blocks whose reads are pending
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
    PrefixOffload(TieredKvStore store, Backend backend, boolean planAware, MemorySegment staging,
                  PendingBlockReads reads) {
        this.store = store;
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
                next.putIfAbsent(key(chain[k], k), new Planned(seq, rank));
            }
            rank++;
        }
        planned = next;
        hashesBySequence = hashes;
        preemptedSincePlan = 0;
        for (Iterator<BlockKey> it = stored.keySet().iterator(); it.hasNext(); ) {
            BlockKey key = it.next();
            if (store.tierOf(key).isEmpty()) {
                it.remove();
                store.forgetNextUse(key);
            } else if (planned.containsKey(key)) {
                store.setNextUse(key, planned.get(key).rank());
            } else if (planAware) {
                store.setNoFutureUse(key);
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
            planned.put(key(chain[k], k), new Planned(seq, rank));
        }
    }

    @Override
    public void evicting(int block, int[] prefix) {
        evicted++;
        int index = prefix.length / blockSize - 1;
        BlockKey key = key(chainHash(prefix, prefix.length / blockSize), index);
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
        int[] kept = stored.get(key);
        if (reading.contains(key) || kept != null && Arrays.equals(kept, prefix) && store.tierOf(key).isPresent()) {
            alreadyStored++;
            return;
        }
        int[] tokens = prefix.clone();
        OptionalLong rank = used ? OptionalLong.of(next.rank()) : OptionalLong.empty();
        if (reads.start(block, payload -> write(key, tokens, rank, payload))) {
            reading.add(key);
        } else {
            notStored++; // a 4-bit block still being filled: not swappable as it is
        }
    }

    /** Writes an evicted block, read: {@code payload} holds it; {@code rank} is its planned next use, if any. */
    private void write(BlockKey key, int[] prefix, OptionalLong rank, MemorySegment payload) {
        reading.remove(key);
        if (rank.isPresent()) {
            store.setNextUse(key, rank.getAsLong());
        } else {
            store.forgetNextUse(key);
        }
        if (store.offload(key, payload).isStored()) {
            stored.put(key, prefix);
            written++;
        } else {
            stored.remove(key);
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
        BlockKey key = key(hash, index);
        if (reading.contains(key)) {
            reads.finishAll(); // evicted earlier in this step: its bytes are still on their way to the tiers
        }
        int[] kept = stored.get(key);
        if (kept == null || kept.length != (index + 1) * blockSize || !startsWith(seq, kept)) {
            return false;
        }
        boolean inFirstTier = store.tierOf(key).orElse(-1) == 0;
        if (!store.load(key, staging).isLoaded()) {
            stored.remove(key);
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
            BlockKey key = key(chain[k], k);
            if (!stored.containsKey(key)) {
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
            int blocks = (seq.numTokens() - 1) / blockSize;
            long[] chain = new long[blocks];
            int[] tokens = tokens(seq, blocks);
            long parent = BlockHasher.ROOT_HASH;
            for (int k = 0; k < blocks; k++) {
                parent = BlockHasher.DEFAULT.hash(parent, tokens, k * blockSize, blockSize);
                chain[k] = parent;
            }
            h = new Hashes(seq.numTokens(), chain);
        }
        into.put(seq.id(), h);
        return h.chain();
    }

    private long chainHash(int[] tokens, int blocks) {
        long h = BlockHasher.ROOT_HASH;
        for (int k = 0; k < blocks; k++) {
            h = BlockHasher.DEFAULT.hash(h, tokens, k * blockSize, blockSize);
        }
        return h;
    }

    private int[] tokens(KvSequence seq, int blocks) {
        int[] t = new int[blocks * blockSize]; // (blocks * blockSize) leading token ids
        for (int i = 0; i < t.length; i++) {
            t[i] = seq.tokenAt(i);
        }
        return t;
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

    private static BlockKey key(long chainHash, int index) {
        return new BlockKey(chainHash | Long.MIN_VALUE, index);
    }
}
