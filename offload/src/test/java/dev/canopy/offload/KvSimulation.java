package dev.canopy.offload;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * A paged-KV engine reduced to its blocks, to check offloading end to end without a model: sequences grow one token
 * (one KV row) per step, round-robin in groups that fit a primary pool of {@code primaryBlocks}; a step first makes
 * every block of its group resident (evicting other sequences' blocks to the store, loading them back or recomputing
 * them), then "attends" to all computed rows of each sequence, folding their bytes into the sequence's output checksum,
 * then appends each sequence's next row. The outputs depend only on the bytes attention saw, so any configuration
 * that never hands out wrong bytes yields the same outputs.
 */
final class KvSimulation {

    /** The shape of a run; a sequence's final blocks must fit in the primary pool. */
    record Shape(int sequences, int promptTokens, int finalTokens, int blockSize, int rowBytes) {

        long blockBytes() {
            return (long) blockSize * rowBytes;
        }

        int blocksPerSequence() {
            return (finalTokens + blockSize - 1) / blockSize;
        }

        int workingSetBlocks() {
            return sequences * blocksPerSequence();
        }
    }

    /** Per-sequence output checksums and how many blocks had to be recomputed. */
    record Outcome(List<Long> outputs, int recomputedBlocks, int evictions) {
    }

    private final Shape shape;
    private final int primaryBlocks;
    private final TieredKvStore store; // null: evicted blocks are recomputed
    private final Prefetcher prefetcher;
    private final NextUsePlan primaryPlan = new NextUsePlan();
    private final EvictionPolicy primaryPolicy;
    private final MemorySegment pool; // (primaryBlocks, blockSize, rowBytes)
    private final Map<BlockKey, Integer> resident = new HashMap<>();
    private final List<Integer> freeSlots = new ArrayList<>();
    private final Set<BlockKey> evicted = new HashSet<>(); // blocks that left the pool at least once
    private final int[] tokens; // (sequences) rows computed per sequence
    private final CRC32C[] outputs; // (sequences)
    private final List<Integer> queue = new ArrayList<>(); // unfinished sequences, round-robin order
    private long step;
    private int recomputed;
    private int evictions;

    KvSimulation(Shape shape, int primaryBlocks, TieredKvStore store, EvictionPolicyKind primaryPolicy) {
        this.shape = shape;
        this.primaryBlocks = primaryBlocks;
        this.store = store;
        this.prefetcher = store == null ? null : new Prefetcher(store, 4);
        this.primaryPolicy = primaryPolicy.create(primaryPlan);
        this.pool = Arena.ofAuto().allocate(primaryBlocks * shape.blockBytes(), 8);
        for (int i = 0; i < primaryBlocks; i++) {
            freeSlots.add(i);
        }
        tokens = new int[shape.sequences()];
        outputs = new CRC32C[shape.sequences()];
        for (int s = 0; s < shape.sequences(); s++) {
            outputs[s] = new CRC32C();
            tokens[s] = shape.promptTokens();
            queue.add(s);
        }
    }

    Outcome run() throws InterruptedException {
        while (!queue.isEmpty()) {
            List<Integer> group = nextGroup();
            planNextUses(group.size());
            if (prefetcher != null) {
                prefetcher.request(upcomingOffloadedBlocks(group.size()));
            }
            for (int s : group) {
                for (int j = 0; j < blocksOf(s, tokens[s] + 1); j++) {
                    makeResident(new BlockKey(s, j), group, j * shape.blockSize() < tokens[s]);
                }
            }
            for (int s : group) {
                attend(s);
                appendRow(s);
            }
            queue.removeAll(group);
            for (int s : group) {
                if (tokens[s] < shape.finalTokens()) {
                    queue.add(s);
                } else {
                    finish(s);
                }
            }
            step++;
        }
        if (prefetcher != null) {
            prefetcher.awaitIdle();
        }
        return new Outcome(Arrays.stream(outputs).map(CRC32C::getValue).toList(), recomputed, evictions);
    }

    /** The longest prefix of the queue whose blocks, after this step's row, fit in the pool (at least one). */
    private List<Integer> nextGroup() {
        List<Integer> group = new ArrayList<>();
        int blocks = 0;
        for (int s : queue) {
            int need = blocksOf(s, tokens[s] + 1);
            if (!group.isEmpty() && blocks + need > primaryBlocks) {
                break;
            }
            group.add(s);
            blocks += need;
        }
        return group;
    }

    /** Next use of each sequence's blocks: its distance in the round-robin queue, counted from this step. */
    private void planNextUses(int groupSize) {
        for (int pos = 0; pos < queue.size(); pos++) {
            int s = queue.get(pos);
            long nextUse = step + (pos < groupSize ? 0 : 1 + (pos - groupSize) / Math.max(1, groupSize));
            for (int j = 0; j < shape.blocksPerSequence(); j++) {
                BlockKey key = new BlockKey(s, j);
                primaryPlan.setNextUse(key, nextUse);
                if (store != null) {
                    store.setNextUse(key, nextUse);
                }
            }
        }
    }

    private List<BlockKey> upcomingOffloadedBlocks(int groupSize) {
        List<BlockKey> upcoming = new ArrayList<>();
        for (int pos = groupSize; pos < Math.min(queue.size(), 2 * groupSize); pos++) {
            int s = queue.get(pos);
            for (int j = 0; j < blocksOf(s, tokens[s]); j++) {
                if (!resident.containsKey(new BlockKey(s, j))) {
                    upcoming.add(new BlockKey(s, j));
                }
            }
        }
        return upcoming;
    }

    /** Brings block {@code key} into the pool: reloaded, recomputed, or (when it holds no row yet) fresh. */
    private void makeResident(BlockKey key, List<Integer> group, boolean hasRows) {
        if (resident.containsKey(key)) {
            primaryPolicy.onAccess(key);
            return;
        }
        if (freeSlots.isEmpty()) {
            evictOne(group);
        }
        int slot = freeSlots.removeLast();
        MemorySegment block = slotSegment(slot);
        block.fill((byte) 0);
        if (hasRows && (store == null || !store.load(key, block).isLoaded())) {
            recompute(key, block);
        }
        if (store != null && !isFull(key)) {
            store.remove(key); // the last block changes: its stored copy goes stale
        }
        resident.put(key, slot);
        primaryPolicy.onInsert(key);
    }

    private void evictOne(List<Integer> group) {
        BlockKey victim = primaryPolicy.victim(k -> !group.contains((int) k.owner())).orElseThrow();
        int slot = resident.remove(victim);
        primaryPolicy.onRemove(victim);
        evicted.add(victim);
        evictions++;
        if (store != null && !(isFull(victim) && store.tierOf(victim).isPresent())) { // full blocks stay clean copies
            store.offload(victim, slotSegment(slot));
        }
        freeSlots.add(slot);
    }

    /** Writes the rows of {@code key} computed so far: the prompt's prefill, or a recomputation after a loss. */
    private void recompute(BlockKey key, MemorySegment block) {
        if (evicted.contains(key)) {
            recomputed++;
        }
        int rows = Math.min(shape.blockSize(), tokens[(int) key.owner()] - key.index() * shape.blockSize());
        for (int r = 0; r < rows; r++) {
            writeRow(block, key, r);
        }
    }

    private void attend(int s) {
        for (int p = 0; p < tokens[s]; p++) {
            MemorySegment block = slotSegment(resident.get(new BlockKey(s, p / shape.blockSize())));
            outputs[s].update(block.asSlice((long) (p % shape.blockSize()) * shape.rowBytes(), shape.rowBytes())
                    .asByteBuffer());
        }
    }

    private void appendRow(int s) {
        int p = tokens[s]++;
        BlockKey key = new BlockKey(s, p / shape.blockSize());
        writeRow(slotSegment(resident.get(key)), key, p % shape.blockSize());
    }

    private void finish(int s) {
        for (int j = 0; j < shape.blocksPerSequence(); j++) {
            BlockKey key = new BlockKey(s, j);
            Integer slot = resident.remove(key);
            if (slot != null) {
                primaryPolicy.onRemove(key);
                freeSlots.add(slot);
            }
            primaryPlan.forget(key);
            if (store != null) {
                store.remove(key);
                store.forgetNextUse(key);
            }
        }
    }

    private void writeRow(MemorySegment block, BlockKey key, int row) {
        MemorySegment target = block.asSlice((long) row * shape.rowBytes(), shape.rowBytes());
        TestBlocks.fill(target, TestBlocks.seed(key, row));
    }

    private boolean isFull(BlockKey key) {
        return tokens[(int) key.owner()] >= (key.index() + 1) * shape.blockSize();
    }

    private int blocksOf(int s, int numTokens) {
        return (numTokens + shape.blockSize() - 1) / shape.blockSize();
    }

    private MemorySegment slotSegment(int slot) {
        return pool.asSlice(slot * shape.blockBytes(), shape.blockBytes());
    }
}
