package dev.canopy.executor.sched;

import dev.canopy.executor.kv.BlockCopy;
import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.prefixtree.AdmissionRule;
import dev.canopy.prefixtree.PrefixLeaderRule;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * Continuous batching over a {@link BlockManager}. The engine loops {@link #schedule()}, forward pass,
 * {@link #postprocess}, and calls {@link #finish} when it decides a sequence is done (EOS, stop, length).
 *
 * <p>Each step is one token batch of at most {@code maxBatchTokens} tokens: first one decode token for every running
 * sequence that has all but its last token computed (oldest first), then prefill chunks of running sequences still
 * computing their prompt (or recomputing after a preemption), then newly admitted sequences, first come first
 * served in the order added. A chunk takes what is left of the budget (chunked prefill). A waiting sequence is
 * admitted only when its blocks fit and its request's seats fit under {@code maxSeqs}; admission stops at the first
 * that does not (no overtaking). These rules, and the preemption below, are {@link AdmissionRule}'s, which the
 * planner's simulator applies too.
 *
 * <p>When a running sequence needs a block and the pool is empty, the most recently admitted sequence not yet
 * scheduled in this step is preempted: its blocks are freed and it goes back to the head of the waiting queue,
 * keeping its generated tokens, to recompute prompt and output as a new prefill later, unless the {@link SwapSpace}
 * chooses to swap its computed KV out: then the KV comes back into fresh blocks when it is admitted again, and only
 * what could not be restored is recomputed. (Swaps run inside {@link #schedule()}: a swap-out copies a victim's blocks
 * before they are freed, a swap-in fills blocks no pending copy reads.) A sequence that cannot fit
 * even alone in the pool finishes with {@link FinishReason#ERROR}, reported in {@link ScheduledStep#failed()}; every
 * other sequence keeps going. No sequence is dropped and every step makes progress.
 *
 * <p>Requests with {@code n > 1}: sample 0 is admitted alone (reserving n seats); when its prompt is computed, the
 * other samples fork from it, sharing its blocks, with all but the last prompt token computed: each recomputes that
 * token (its own one-token chunk) to get logits, and its first write copies the shared last block (copy-on-write).
 *
 * <p>Not thread-safe.
 */
public final class Scheduler {

    private final SchedulerConfig config;
    private final BlockManager blocks;
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>(); // add order; preempted ones back at the head
    private final LinkedHashSet<Sequence> running = new LinkedHashSet<>(); // admission order, oldest first
    private final List<Sequence> failedSinceLastStep = new ArrayList<>();
    private long nextSequenceId;
    private long nextStepId;
    private int numUnfinished;
    private ScheduledStep inFlight; // scheduled and not yet postprocessed
    private final PrefixLeaderRule<Sequence> leaders;
    private final SwapSpace swap;
    private final LocalKvPool local;

    /** A scheduler whose preemptions always recompute. */
    public Scheduler(SchedulerConfig config, BlockManager blocks) {
        this(config, blocks, SwapSpace.NONE);
    }

    /** A scheduler that may swap preempted sequences out to {@code swap}. */
    public Scheduler(SchedulerConfig config, BlockManager blocks, SwapSpace swap) {
        this(config, blocks, swap, LocalKvPool.NONE);
    }

    /**
     * A scheduler (preemptions recompute) whose model's sliding-window layers of a {@code window}-token window keep
     * their KV in {@code localPool}, releasing each sequence's blocks that left the window before every step;
     * {@code blocks} then serves the other layers.
     */
    public Scheduler(SchedulerConfig config, BlockManager blocks, BlockManager localPool, int window) {
        this(config, blocks, SwapSpace.NONE, LocalKvPool.windowed(localPool, window));
    }

    private Scheduler(SchedulerConfig config, BlockManager blocks, SwapSpace swap, LocalKvPool local) {
        this.local = Objects.requireNonNull(local, "local");
        this.config = Objects.requireNonNull(config, "config");
        this.blocks = Objects.requireNonNull(blocks, "blocks");
        this.swap = Objects.requireNonNull(swap, "swap");
        this.leaders = new PrefixLeaderRule<>(blocks.blockSize(), new SequenceLeaderView());
    }

    public SchedulerConfig config() {
        return config;
    }

    public BlockManager blockManager() {
        return blocks;
    }

    /** Whether sliding-window layers keep their own pool: steps then carry {@link Sequence#localBlockTable()}s. */
    public boolean hasLocalPool() {
        return local.isSeparate();
    }

    /**
     * Queues a request: creates its {@code params.n()} samples (sample indices 0..n-1, ids in that order). When n
     * exceeds {@code maxSeqs} they all finish at once with ERROR, reported by the next step.
     *
     * @return the samples, sample 0 first
     * @throws IllegalArgumentException when the prompt is empty or has a negative token id
     */
    public List<Sequence> add(long requestId, int[] promptTokenIds, SamplingParams params) {
        Objects.requireNonNull(params, "params");
        int[] prompt = Objects.requireNonNull(promptTokenIds, "promptTokenIds").clone();
        if (prompt.length == 0) {
            throw new IllegalArgumentException("Cannot add request " + requestId + ": the prompt is empty");
        }
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0) {
                throw new IllegalArgumentException("Cannot add request " + requestId + ": prompt token " + i
                        + " has negative id " + prompt[i]);
            }
        }
        List<Sequence> samples = new ArrayList<>(params.n());
        for (int i = 0; i < params.n(); i++) {
            samples.add(new Sequence(nextSequenceId++, requestId, i, prompt, params));
        }
        Sequence first = samples.getFirst();
        for (Sequence sample : samples.subList(1, samples.size())) {
            sample.setForkParent(first);
            first.unforkedSamples().add(sample);
        }
        numUnfinished += samples.size();
        if (params.n() > config.maxSeqs()) {
            end(first, FinishReason.ERROR, "Cannot schedule the request: its n=" + params.n()
                    + " samples need " + params.n() + " seats but maxSeqs is " + config.maxSeqs()
                    + "; lower n or raise maxSeqs", failedSinceLastStep);
        } else {
            waiting.addLast(first);
        }
        return List.copyOf(samples);
    }

    /**
     * Builds the next step (see the class comment) and changes sequence states and block tables accordingly.
     *
     * @throws IllegalStateException when the previous step has not been postprocessed
     */
    public ScheduledStep schedule() {
        if (inFlight != null) {
            throw new IllegalStateException("Cannot schedule: step " + inFlight.id() + " has not been postprocessed");
        }
        StepBuilder step = new StepBuilder(config.maxBatchTokens());
        step.failed.addAll(failedSinceLastStep);
        failedSinceLastStep.clear();
        List<Sequence> snapshot = List.copyOf(running);
        for (Sequence seq : snapshot) {
            if (seq.numTokens() - seq.numComputedTokens() == 1) {
                scheduleRunning(seq, step);
            }
        }
        for (Sequence seq : snapshot) {
            scheduleRunning(seq, step);
        }
        if (AdmissionRule.admitsThisStep(!step.preempted.isEmpty(), !step.chunks.isEmpty())) {
            admitWaiting(step);
        }
        inFlight = new ScheduledStep(nextStepId++, step.chunks, step.copies, step.preempted, step.failed,
                step.localCopies);
        return inFlight;
    }

    /**
     * Records the forward pass of {@code step}: advances each chunk's computed tokens, offers newly full blocks to
     * the prefix cache, forks waiting samples of requests whose prompt is now computed, and appends the sampled
     * tokens. Chunks of sequences finished since {@link #schedule()} are skipped (their tokens ignored).
     *
     * @param sampledTokenIds one token per chunk with {@code needsLogits}, in chunk order
     */
    public void postprocess(ScheduledStep step, int[] sampledTokenIds) {
        if (step != inFlight) {
            throw new IllegalStateException("Cannot postprocess step " + step.id() + ": "
                    + (inFlight == null ? "no step is in flight" : "step " + inFlight.id() + " is in flight"));
        }
        if (sampledTokenIds.length != step.numSampledChunks()) {
            throw new IllegalArgumentException("Cannot postprocess step " + step.id() + ": expected "
                    + step.numSampledChunks() + " sampled tokens (one per chunk needing logits), got "
                    + sampledTokenIds.length);
        }
        for (int token : sampledTokenIds) {
            if (token < 0) {
                throw new IllegalArgumentException("Cannot postprocess step " + step.id() + ": sampled token id "
                        + token + " is negative");
            }
        }
        inFlight = null;
        int next = 0;
        for (ScheduledChunk chunk : step.chunks()) {
            Sequence seq = chunk.seq();
            boolean live = seq.status() == SequenceStatus.RUNNING;
            if (live) {
                seq.setNumComputedTokens(chunk.endPos());
                blocks.markComputed(seq);
                local.markComputed(seq);
            }
            if (chunk.needsLogits()) {
                int token = sampledTokenIds[next++];
                if (live) {
                    forkWaitingSamples(seq);
                    seq.appendToken(token);
                }
            }
        }
    }

    /**
     * Finishes {@code seq} (running or waiting) with STOP or LENGTH and frees its blocks. Samples of its request
     * still waiting to fork from it finish with it.
     *
     * @return the sequences finished by this call, {@code seq} first
     */
    public List<Sequence> finish(Sequence seq, FinishReason reason) {
        if (reason == FinishReason.ERROR) {
            throw new IllegalArgumentException("Cannot finish sequence " + seq.id() + " with ERROR: call fail(seq, "
                    + "message) so that the error has a message");
        }
        List<Sequence> finished = new ArrayList<>();
        end(seq, reason, null, finished);
        return finished;
    }

    /** Like {@link #finish} with {@link FinishReason#ERROR} and {@code message}. */
    public List<Sequence> fail(Sequence seq, String message) {
        List<Sequence> finished = new ArrayList<>();
        end(seq, FinishReason.ERROR, Objects.requireNonNull(message, "message"), finished);
        return finished;
    }

    /** Whether some sequence is unfinished or some failure has not been reported by a step yet. */
    public boolean hasUnfinished() {
        return numUnfinished > 0 || !failedSinceLastStep.isEmpty();
    }

    public int numUnfinished() {
        return numUnfinished;
    }

    /** Sequences in the waiting queue (samples waiting to fork are not counted). */
    public int numWaiting() {
        return waiting.size();
    }

    public int numRunning() {
        return running.size();
    }

    /** The first {@code max} waiting sequences, in the order they will be admitted. */
    public List<Sequence> nextToAdmit(int max) {
        List<Sequence> out = new ArrayList<>(Math.min(max, waiting.size()));
        for (Sequence seq : waiting) {
            if (out.size() == max) {
                break;
            }
            out.add(seq);
        }
        return out;
    }

    /** The first {@code max} waiting sequences with KV swapped out, in the order they will be admitted. */
    public List<Sequence> swappedWaiting(int max) {
        List<Sequence> out = new ArrayList<>(Math.min(max, waiting.size()));
        for (Sequence seq : waiting) {
            if (out.size() == max) {
                break;
            }
            if (seq.numSwappedTokens() > 0) {
                out.add(seq);
            }
        }
        return out;
    }

    /**
     * Checks the block manager's invariants and the scheduler's: states match queues, waiting sequences hold no
     * blocks, running ones hold blocks for their computed tokens and have a token left to compute, seats are within
     * maxSeqs and every unfinished sequence is accounted for.
     *
     * @throws IllegalStateException naming the first broken rule
     */
    public void checkInvariants() {
        blocks.checkInvariants();
        local.checkInvariants();
        int accounted = 0;
        for (Sequence seq : waiting) {
            check(seq.status() == SequenceStatus.WAITING && seq.blockTable().isEmpty()
                    && seq.numComputedTokens() == 0 && seq.numSwappedTokens() < seq.numTokens(),
                    "waiting sequence holds state", seq);
            accounted += seatsOf(seq);
        }
        for (Sequence seq : running) {
            check(seq.status() == SequenceStatus.RUNNING, "running sequence has the wrong status", seq);
            check(seq.numComputedTokens() < seq.numTokens(), "running sequence has nothing left to compute", seq);
            int size = seq.blockTable().size();
            check(size >= blocks.blocksFor(seq.numComputedTokens()) && size <= blocks.blocksFor(seq.numTokens()),
                    "block table of " + size + " blocks does not fit the tokens", seq);
            accounted += seatsOf(seq);
        }
        check(occupiedSeats() <= config.maxSeqs(), occupiedSeats() + " seats exceed maxSeqs", null);
        check(accounted == numUnfinished, accounted + " sequences queued but " + numUnfinished + " unfinished", null);
        check(!running.isEmpty() || blocks.usedBlockCount() == 0, blocks.usedBlockCount()
                + " blocks used while nothing runs", null);
    }

    private void scheduleRunning(Sequence seq, StepBuilder step) {
        if (seq.status() != SequenceStatus.RUNNING || step.budget == 0 || step.scheduled.contains(seq)) {
            return;
        }
        int n = Math.min(seq.numTokens() - seq.numComputedTokens(), step.budget);
        if (reserveSlots(seq, n, step)) {
            step.add(seq, n);
        }
    }

    /** Makes room for {@code n} KV slots of {@code seq}, preempting newer sequences; false if seq cannot run now. */
    private boolean reserveSlots(Sequence seq, int n, StepBuilder step) {
        local.releaseOutOfWindow(seq);
        while (!blocks.canAppend(seq, n) || !local.canAppend(seq, n)) {
            Sequence victim = newestUnscheduled(seq, step);
            switch (AdmissionRule.onPoolFull(victim != null, running.size())) {
                case PREEMPT_NEWEST -> preempt(victim, step);
                case TOO_LARGE -> {
                    failTooLarge(seq, step);
                    return false;
                }
                case PREEMPT_SELF -> {
                    preempt(seq, step); // everything newer is gone and the older ones run: wait for them
                    return false;
                }
            }
        }
        step.copies.addAll(blocks.appendSlots(seq, n));
        step.localCopies.addAll(local.appendSlots(seq, n));
        return true;
    }

    private void admitWaiting(StepBuilder step) {
        List<Sequence> deferred = new ArrayList<>(); // waiting for a running leader's shared prefix
        try {
            while (!waiting.isEmpty()) {
                Sequence seq = waiting.peekFirst();
                switch (AdmissionRule.decide(step.budget, occupiedSeats(), seatsOf(seq), config.maxSeqs(),
                        () -> blocks.config().prefixCaching() && leaders.shouldWait(seq), () -> blocksFit(seq),
                        !running.isEmpty())) {
                    case WAIT -> {
                        return;
                    }
                    case DEFER -> deferred.add(waiting.pollFirst());
                    case TOO_LARGE -> failTooLarge(waiting.pollFirst(), step);
                    case ADMIT -> {
                        waiting.pollFirst();
                        startRunning(seq, step);
                        running.add(seq);
                        leaders.admitted(seq);
                        scheduleRunning(seq, step);
                    }
                }
            }
        } finally {
            for (int i = deferred.size() - 1; i >= 0; i--) {
                waiting.addFirst(deferred.get(i));
            }
        }
    }

    /** Gives {@code seq} its blocks: a cached prefix, then its swapped-out KV where there is some, then fresh. */
    private void startRunning(Sequence seq, StepBuilder step) {
        int localHits = local.cachedPrefixBlocks(seq);
        local.allocate(seq, Math.min(localHits, blocks.cachedPrefixBlocks(seq)));
        int cached = blocks.allocate(seq, localHits); // no more than the local pool shares
        int swapped = seq.numSwappedTokens();
        int computed = cached;
        if (swapped > cached) {
            int from = cached / blocks.blockSize();
            int to = blocks.blocksFor(swapped);
            requireUnread(seq, from, to, step);
            int restored = swap.swapIn(seq, from, to);
            computed = from + restored == to ? swapped : (from + restored) * blocks.blockSize();
        } else if (swapped > 0) {
            swap.discard(seq); // the prefix cache already holds all of it
        }
        seq.startRunning(computed, cached);
    }

    /** Checks that no pending copy of the step reads the blocks a swap-in is about to fill. */
    private static void requireUnread(Sequence seq, int from, int to, StepBuilder step) {
        for (BlockCopy copy : step.copies) {
            for (int k = from; k < to; k++) {
                check(copy.srcBlock() != seq.blockTable().blockId(k), "a swap-in would overwrite block "
                        + copy.srcBlock() + " before a pending copy reads it", seq);
            }
        }
    }

    private void forkWaitingSamples(Sequence parent) {
        List<Sequence> samples = parent.unforkedSamples();
        if (samples.isEmpty()) {
            return;
        }
        if (parent.numGeneratedTokens() != 0 || parent.numComputedTokens() != parent.numPromptTokens()) {
            throw new IllegalStateException("Cannot fork samples from " + parent + ": its prompt is not exactly computed");
        }
        for (Sequence sample : samples) {
            sample.setForkParent(null);
            sample.startRunning(parent.numPromptTokens() - 1);
            blocks.fork(parent, sample);
            local.fork(parent, sample);
            running.add(sample);
        }
        samples.clear();
    }

    private Sequence newestUnscheduled(Sequence except, StepBuilder step) {
        for (Sequence seq : running.reversed()) {
            if (seq != except && !step.scheduled.contains(seq)) {
                return seq;
            }
        }
        return null;
    }

    private void preempt(Sequence seq, StepBuilder step) {
        int swapped = swapOut(seq);
        leaders.released(seq);
        blocks.free(seq);
        local.free(seq);
        running.remove(seq);
        seq.preempted(swapped);
        waiting.addFirst(seq);
        step.preempted.add(seq);
    }

    /** Swaps {@code seq}'s computed KV out when the swap space chooses to; returns the tokens whose KV is stored. */
    private int swapOut(Sequence seq) {
        int held = Math.min(blocks.blocksFor(seq.numComputedTokens()), seq.blockTable().size());
        if (held == 0 || !swap.shouldSwap(seq, held)) {
            return 0;
        }
        int stored = swap.swapOut(seq, held);
        return Math.min(seq.numComputedTokens(), stored * blocks.blockSize());
    }

    /** Whether {@code seq}'s blocks, its cached prefix shared, fit in both pools now. */
    private boolean blocksFit(Sequence seq) {
        return blocks.canAllocate(seq, local.cachedPrefixBlocks(seq)) && local.canAllocate(seq, sharedPrefixBlocks(seq));
    }

    /** Leading prompt blocks both pools hold cached (the main pool's count alone without a local pool). */
    private int sharedPrefixBlocks(Sequence seq) {
        return Math.min(blocks.cachedPrefixBlocks(seq), local.cachedPrefixBlocks(seq));
    }

    private void failTooLarge(Sequence seq, StepBuilder step) {
        int needed = blocks.blocksFor(seq.numTokens());
        end(seq, FinishReason.ERROR, "Cannot schedule sequence " + seq.id() + " (request " + seq.requestId()
                + ", sample " + seq.sampleIndex() + "): its " + seq.numTokens() + " tokens need " + needed
                + " KV blocks of " + blocks.blockSize() + " tokens but the pool has " + blocks.numBlocks()
                + " blocks", step.failed);
    }

    private void end(Sequence seq, FinishReason reason, String message, List<Sequence> finished) {
        switch (seq.status()) {
            case FINISHED -> throw new IllegalStateException("Cannot finish sequence " + seq.id()
                    + ": it already finished with " + seq.finishReason().orElseThrow());
            case RUNNING -> {
                leaders.released(seq);
                blocks.free(seq);
                local.free(seq);
                running.remove(seq);
            }
            case WAITING -> {
                waiting.remove(seq);
                if (seq.numSwappedTokens() > 0) {
                    swap.discard(seq);
                    seq.swapDiscarded();
                }
                if (seq.forkParent() != null) {
                    seq.forkParent().unforkedSamples().remove(seq);
                    seq.setForkParent(null);
                }
            }
        }
        seq.finished(reason, message);
        numUnfinished--;
        finished.add(seq);
        List<Sequence> orphans = List.copyOf(seq.unforkedSamples());
        seq.unforkedSamples().clear();
        for (Sequence orphan : orphans) {
            orphan.setForkParent(null);
            end(orphan, reason, message, finished);
        }
    }

    private int occupiedSeats() {
        int seats = 0;
        for (Sequence seq : running) {
            seats += seatsOf(seq);
        }
        return seats;
    }

    private static int seatsOf(Sequence seq) {
        return 1 + seq.unforkedSamples().size();
    }

    private static void check(boolean ok, String rule, Sequence seq) {
        if (!ok) {
            throw new IllegalStateException("Broken scheduler state: " + rule + (seq == null ? "" : ": " + seq));
        }
    }
}
