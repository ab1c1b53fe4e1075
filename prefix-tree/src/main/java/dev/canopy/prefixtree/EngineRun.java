package dev.canopy.prefixtree;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * One simulated run of the executor's continuous-batching scheduler over a request order, step by step as the
 * scheduler builds them: first one token for every running sequence with one token left to compute (its decode),
 * then prefill chunks of the running sequences, oldest first, then newly admitted ones under {@link AdmissionRule},
 * each chunk taking what is left of the step's token budget.
 *
 * <p>Blocks follow the executor's block manager: an admitted sequence gets blocks for its tokens so far (the leading
 * full blocks found computed in the cache are shared), and one more each time a write crosses a block boundary; when
 * none is free, {@link AdmissionRule#onPoolFull} preempts the newest running sequence, which frees its blocks (the
 * computed full ones stay cached) and recomputes prompt and output when admitted again. A block is named in the cache
 * once the step that computes it is done, so a sequence sharing a prefix another one is computing waits for it
 * ({@link PrefixLeaderRule}).
 */
final class EngineRun {

    private final CostModel cost;
    private final PrefixTree tree;
    private final List<Request> requests;
    private final int[] outputs; // (requests) tokens each request produces
    private final int maxSequences;
    private final int maxTokensPerStep;
    private final int blockTokens;
    private final PrefillPacing pacing;
    private final BlockPool pool;
    private final WaitingQueue waiting;
    private final PrefixLeaderRule<SimulatedSequence> leaders;
    private final IntConsumer admitted;
    private final List<SimulatedSequence> running = new ArrayList<>(); // admission order, oldest first
    private final List<SimulatedSequence> scheduled = new ArrayList<>(); // this step's chunks, in order

    private int budgetLeft;
    private boolean preemptedThisStep;
    private long tokens;
    private long attentionPairs;
    private long logits;
    private long kvRead;
    private long kvWritten;

    private long prefillTokens;
    private long steps;
    private long preemptions;
    private double seconds;
    private double computeSeconds;
    private double memorySeconds;
    private int peakInUse;
    private int peakResident;

    /** A run calling {@code admitted} with each request as it is admitted (again after each preemption). */
    EngineRun(CostModel cost, EngineLimits limits, PrefixTree tree, List<Request> requests, int[] outputs, int[] order,
            IntConsumer admitted) {
        this.cost = cost;
        this.tree = tree;
        this.requests = requests;
        this.outputs = outputs;
        this.admitted = admitted;
        this.maxSequences = limits.maxSequences();
        this.maxTokensPerStep = limits.maxTokensPerStep();
        this.blockTokens = limits.blockTokens();
        this.pacing = limits.pacing();
        this.leaders = new PrefixLeaderRule<>(blockTokens, new SimulatedLeaderView());
        this.waiting = new WaitingQueue(order, r -> new SimulatedSequence(tree, r, requests.get(r).promptLength(),
                outputs[r], blockTokens));
        long budgetBlocks = (long) Math.floor(cost.hardware().kvBudgetBytes() / (blockTokens * cost.kvBytesPerToken()));
        long jobBlocks = 0; // the pool never needs more blocks than all requests together
        for (int r = 0; r < requests.size(); r++) {
            if (lifeBlocks(r) > budgetBlocks) {
                throw new IllegalArgumentException("Cannot simulate request " + r + ": it needs " + lifeBlocks(r)
                        + " KV blocks for its prompt and output, more than the " + budgetBlocks + " the budget holds");
            }
            jobBlocks += lifeBlocks(r);
        }
        this.pool = new BlockPool((int) Math.min(Integer.MAX_VALUE - 8, Math.min(budgetBlocks, jobBlocks)));
    }

    SimulationResult run() {
        long promptTokens = 0;
        long outputTokens = 0;
        for (int r = 0; r < requests.size(); r++) {
            promptTokens += requests.get(r).promptLength();
            outputTokens += outputs[r];
        }
        while (!waiting.isEmpty() || !running.isEmpty()) {
            step();
        }
        double bytesPerBlock = blockTokens * cost.kvBytesPerToken();
        return new SimulationResult(seconds, steps, requests.size(), promptTokens, prefillTokens, outputTokens,
                (long) (peakInUse * bytesPerBlock), (long) (peakResident * bytesPerBlock), computeSeconds, memorySeconds,
                preemptions);
    }

    private void step() {
        tokens = 0;
        attentionPairs = 0;
        logits = 0;
        kvRead = 0;
        kvWritten = 0;
        budgetLeft = maxTokensPerStep;
        preemptedThisStep = false;
        List<SimulatedSequence> snapshot = List.copyOf(running);
        for (SimulatedSequence seq : snapshot) {
            if (seq.tokens() - seq.computed == 1) {
                scheduleRunning(seq);
            }
        }
        if (pacing == PrefillPacing.BALANCED && tokens > 0) {
            budgetLeft = (int) Math.min(budgetLeft, balancedPrefillTokens());
        }
        for (SimulatedSequence seq : snapshot) {
            scheduleRunning(seq);
        }
        if (AdmissionRule.admitsThisStep(preemptedThisStep, !scheduled.isEmpty())) {
            admitWaiting();
        }
        if (scheduled.isEmpty()) {
            throw new IllegalStateException("Cannot simulate: no progress with " + running.size()
                    + " sequences running and " + pool.reclaimable() + " reclaimable blocks");
        }
        StepCost stepCost = cost.stepCost(new StepLoad(tokens, attentionPairs, logits, kvRead, kvWritten));
        steps++;
        seconds += stepCost.seconds();
        computeSeconds += stepCost.computeSeconds();
        memorySeconds += stepCost.memorySeconds();
        peakInUse = Math.max(peakInUse, pool.inUse());
        peakResident = Math.max(peakResident, pool.resident());
        postprocess();
    }

    /** Prefill tokens that bring the step's compute time up to its memory time, given the decodes already in it. */
    private long balancedPrefillTokens() {
        StepLoad decodes = new StepLoad(tokens, attentionPairs, logits, kvRead, kvWritten);
        double spareSeconds = cost.memorySeconds(cost.stepBytes(decodes)) - cost.computeSeconds(cost.stepFlops(decodes));
        return Math.max(0, (long) (spareSeconds * cost.hardware().flopsPerSecond() / cost.linearFlopsPerToken()));
    }

    /** Adds {@code seq}'s next chunk (what is left to compute, up to the budget) if its blocks can be made room for. */
    private void scheduleRunning(SimulatedSequence seq) {
        if (!seq.running || budgetLeft == 0 || seq.scheduledTokens > 0) {
            return;
        }
        int n = Math.min(seq.tokens() - seq.computed, budgetLeft);
        if (!reserveBlocks(seq, n)) {
            return;
        }
        int from = seq.computed;
        int to = from + n;
        seq.scheduledTokens = n;
        scheduled.add(seq);
        budgetLeft -= n;
        tokens += n;
        attentionPairs += CostModel.attentionPairs(from, to);
        kvRead += from;
        kvWritten += n;
        if (seq.tokens() - from > 1 || seq.produced == 0) {
            prefillTokens += n; // not a decode: prompt tokens, or output recomputed after a preemption
        }
        if (to == seq.tokens()) {
            logits++;
        }
    }

    /** Gives {@code seq} the blocks its next {@code n} tokens need, preempting as the rule says; false if it cannot run now. */
    private boolean reserveBlocks(SimulatedSequence seq, int n) {
        int needed;
        while ((needed = seq.blocksToAppend(n, blockTokens)) > pool.reclaimable()) {
            SimulatedSequence victim = newestUnscheduled(seq);
            switch (AdmissionRule.onPoolFull(victim != null, running.size())) {
                case PREEMPT_NEWEST -> preempt(victim);
                case PREEMPT_SELF -> {
                    preempt(seq);
                    return false;
                }
                case TOO_LARGE -> throw tooLarge(seq);
            }
        }
        for (int i = 0; i < needed; i++) {
            seq.addBlock(pool.allocate());
        }
        return true;
    }

    private void admitWaiting() {
        List<SimulatedSequence> deferred = new ArrayList<>(0); // waiting for a running leader's shared prefix
        try {
            while (!waiting.isEmpty()) {
                SimulatedSequence seq = waiting.peekFirst();
                switch (AdmissionRule.decide(budgetLeft, running.size(), 1, maxSequences, () -> leaders.shouldWait(seq),
                        () -> blocksFit(seq), !running.isEmpty())) {
                    case WAIT -> {
                        return;
                    }
                    case DEFER -> deferred.add(waiting.pollFirst());
                    case TOO_LARGE -> throw tooLarge(seq);
                    case ADMIT -> {
                        waiting.pollFirst();
                        startRunning(seq);
                        running.add(seq);
                        leaders.admitted(seq);
                        admitted.accept(seq.request);
                        scheduleRunning(seq);
                    }
                }
            }
        } finally {
            for (int i = deferred.size() - 1; i >= 0; i--) {
                waiting.addFirst(deferred.get(i));
            }
        }
    }

    /** Leading full blocks of {@code seq}'s tokens, short of its last one, named in the cache (computed KV). */
    private int cachedPrefixBlocks(SimulatedSequence seq) {
        int maxHits = (seq.tokens() - 1) / blockTokens;
        int hits = 0;
        while (hits < maxHits && pool.lookup(seq.key(hits)) != BlockPool.NONE) {
            hits++;
        }
        return hits;
    }

    /** Whether {@code seq}'s blocks fit now: fresh ones past its cached prefix, plus cached ones nobody holds. */
    private boolean blocksFit(SimulatedSequence seq) {
        int hits = cachedPrefixBlocks(seq);
        int needed = blocksFor(seq.tokens()) - hits;
        for (int k = 0; k < hits; k++) {
            needed += pool.isHeld(pool.lookup(seq.key(k))) ? 0 : 1;
        }
        return needed <= pool.reclaimable();
    }

    /** Gives {@code seq} its cached prefix, shared, and fresh blocks for the rest of its tokens. */
    private void startRunning(SimulatedSequence seq) {
        int hits = cachedPrefixBlocks(seq);
        for (int k = 0; k < hits; k++) {
            int block = pool.lookup(seq.key(k));
            pool.pin(block);
            seq.addBlock(block);
        }
        for (int k = hits; k < blocksFor(seq.tokens()); k++) {
            seq.addBlock(pool.allocate());
        }
        seq.committed = hits;
        seq.computed = hits * blockTokens;
        seq.running = true;
    }

    /** Records the step's forward pass: advances computed tokens, names newly full blocks, appends output, finishes. */
    private void postprocess() {
        for (SimulatedSequence seq : scheduled) {
            boolean sampled = seq.computed + seq.scheduledTokens == seq.tokens();
            seq.computed += seq.scheduledTokens;
            seq.scheduledTokens = 0;
            int full = Math.min(seq.computed / blockTokens, seq.blockCount());
            for (int k = seq.committed; k < full; k++) {
                seq.setBlock(k, pool.commit(seq.block(k), seq.key(k)));
            }
            seq.committed = Math.max(seq.committed, full);
            if (sampled) {
                seq.produced++;
            }
        }
        scheduled.clear();
        running.removeIf(this::finishIfDone);
    }

    private SimulatedSequence newestUnscheduled(SimulatedSequence except) {
        for (int i = running.size() - 1; i >= 0; i--) {
            SimulatedSequence seq = running.get(i);
            if (seq != except && seq.scheduledTokens == 0) {
                return seq;
            }
        }
        return null;
    }

    private void preempt(SimulatedSequence seq) {
        leaders.released(seq);
        seq.free(pool);
        running.remove(seq);
        waiting.addFirst(seq);
        preemptions++;
        preemptedThisStep = true;
    }

    private boolean finishIfDone(SimulatedSequence seq) {
        if (seq.produced < seq.output) {
            return false;
        }
        leaders.released(seq);
        seq.free(pool);
        return true;
    }

    private IllegalStateException tooLarge(SimulatedSequence seq) {
        return new IllegalStateException("Cannot simulate request " + seq.request + ": its " + seq.tokens()
                + " tokens do not fit the " + pool.capacity() + " KV blocks of the pool even alone");
    }

    private int blocksFor(long tokens) {
        return (int) ((tokens + blockTokens - 1) / blockTokens);
    }

    /** Blocks a request holds at its end: its prompt and output but the last output token, whose KV is never written. */
    private int lifeBlocks(int request) {
        return blocksFor((long) requests.get(request).promptLength() + outputs[request] - 1);
    }
}
