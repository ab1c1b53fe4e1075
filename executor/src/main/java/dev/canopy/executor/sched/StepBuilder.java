package dev.canopy.executor.sched;

import dev.canopy.executor.kv.BlockCopy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** The step being built by {@link Scheduler#schedule()}: chunks so far and the token budget left. */
final class StepBuilder {

    final List<ScheduledChunk> chunks = new ArrayList<>();
    final List<BlockCopy> copies = new ArrayList<>();
    final List<BlockCopy> localCopies = new ArrayList<>(); // among the sliding-window layers' own blocks
    final List<Sequence> preempted = new ArrayList<>();
    final List<Sequence> failed = new ArrayList<>();
    final Set<Sequence> scheduled = Collections.newSetFromMap(new IdentityHashMap<>());
    int budget;

    StepBuilder(int budget) {
        this.budget = budget;
    }

    /** Adds a chunk of {@code n} tokens from {@code seq}'s first uncomputed position. */
    void add(Sequence seq, int n) {
        int start = seq.numComputedTokens();
        chunks.add(new ScheduledChunk(seq, start, n, start + n == seq.numTokens()));
        scheduled.add(seq);
        budget -= n;
    }
}
