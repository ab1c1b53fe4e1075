package dev.canopy.executor.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.kv.BlockCopy;
import dev.canopy.executor.kv.BlockTable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plays the runner's KV memory: each slot holds a fingerprint of the prefix whose KV it stores. For every step it
 * applies the copies, checks that each chunk reads correct KV for all earlier positions through its block table,
 * writes its own positions, and checks that no write lands in a block another live sequence holds.
 */
final class KvMemoryChecker {

    private final int blockSize;
    private final long[] slots; // (numBlocks, blockSize) fingerprint of the prefix ending at each slot's position

    KvMemoryChecker(int numBlocks, int blockSize) {
        this.blockSize = blockSize;
        this.slots = new long[numBlocks * blockSize];
    }

    /** Runs the "forward pass" of {@code step}; {@code live} are all unfinished sequences. */
    void forward(ScheduledStep step, List<Sequence> live) {
        for (BlockCopy copy : step.copies()) {
            System.arraycopy(slots, copy.srcBlock() * blockSize, slots, copy.dstBlock() * blockSize, blockSize);
        }
        Map<Integer, Set<Sequence>> holders = new HashMap<>();
        for (Sequence seq : live) {
            BlockTable table = seq.blockTable();
            for (int k = 0; k < table.size(); k++) {
                holders.computeIfAbsent(table.blockId(k), b -> java.util.Collections.newSetFromMap(
                        new IdentityHashMap<>())).add(seq);
            }
        }
        Set<Integer> written = new HashSet<>();
        for (ScheduledChunk chunk : step.chunks()) {
            Sequence seq = chunk.seq();
            long fingerprint = 17;
            for (int p = 0; p < chunk.endPos(); p++) {
                fingerprint = fingerprint * 1_000_003L + seq.tokenAt(p) + 1;
                int block = seq.blockTable().blockId(p / blockSize);
                int slot = block * blockSize + p % blockSize;
                if (p < chunk.startPos()) {
                    assertThat(slots[slot]).as("KV of %s at position %d", seq, p).isEqualTo(fingerprint);
                } else {
                    assertThat(holders.get(block)).as("holders of written block %d", block).containsOnly(seq);
                    assertThat(written.add(slot)).as("slot %d written twice in one step", slot).isTrue();
                    slots[slot] = fingerprint;
                }
            }
        }
    }
}
