package dev.canopy.prefixtree;

import java.util.ArrayList;
import java.util.List;

/**
 * One simulated run of a continuous-batching engine over a request order: each step decodes one
 * token for every sequence past its prefill, then fills the step's token budget with prefill chunks,
 * oldest sequence first, admitting queued requests in order while a sequence slot and KV blocks for
 * the request's whole life are free. A prompt's leading full blocks that are cached and computed are
 * reused; a request whose prefix another sequence is still computing waits at the head of the queue.
 */
final class EngineRun {

    private final CostModel cost;
    private final PrefixTree tree;
    private final List<Request> requests;
    private final int[] outputs; // (requests) tokens each request produces
    private final int[] order; // (requests) admission order
    private final int maxSequences;
    private final int maxTokensPerStep;
    private final int blockTokens;
    private final PrefillPacing pacing;
    private final BlockPool pool;
    private final List<RunningSequence> running = new ArrayList<>();
    private int nextInQueue;

    private long tokens;
    private long attentionPairs;
    private long logits;
    private long kvRead;
    private long kvWritten;

    private long prefillTokens;
    private long steps;
    private double seconds;
    private double computeSeconds;
    private double memorySeconds;
    private int peakInUse;
    private int peakResident;

    /** A request admitted and not yet finished. */
    private static final class RunningSequence {
        final int prompt;
        final int output;
        final int[] blocks; // (life blocks) KV blocks held, in position order
        final int keyedBlocks; // leading blocks that are full prompt blocks
        int computed; // prompt tokens in the cache
        int produced; // output tokens so far

        RunningSequence(int prompt, int output, int[] blocks, int keyedBlocks, int computed) {
            this.prompt = prompt;
            this.output = output;
            this.blocks = blocks;
            this.keyedBlocks = keyedBlocks;
            this.computed = computed;
        }
    }

    EngineRun(CostModel cost, EngineLimits limits, PrefixTree tree, List<Request> requests, int[] outputs, int[] order) {
        this.cost = cost;
        this.tree = tree;
        this.requests = requests;
        this.outputs = outputs;
        this.order = order;
        this.maxSequences = limits.maxSequences();
        this.maxTokensPerStep = limits.maxTokensPerStep();
        this.blockTokens = limits.blockTokens();
        this.pacing = limits.pacing();
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
        while (nextInQueue < order.length || !running.isEmpty()) {
            step();
        }
        double bytesPerBlock = blockTokens * cost.kvBytesPerToken();
        return new SimulationResult(seconds, steps, requests.size(), promptTokens, prefillTokens, outputTokens,
                (long) (peakInUse * bytesPerBlock), (long) (peakResident * bytesPerBlock), computeSeconds, memorySeconds);
    }

    private void step() {
        tokens = 0;
        attentionPairs = 0;
        logits = 0;
        kvRead = 0;
        kvWritten = 0;
        for (RunningSequence seq : running) {
            if (seq.computed == seq.prompt && seq.produced < seq.output) {
                decode(seq);
            }
        }
        int budget = maxTokensPerStep;
        if (pacing == PrefillPacing.BALANCED && tokens > 0) {
            budget = (int) Math.min(budget, tokens + balancedPrefillTokens());
        }
        for (RunningSequence seq : running) {
            if (seq.computed < seq.prompt && tokens < budget) {
                prefill(seq, budget);
            }
        }
        while (nextInQueue < order.length && tokens < budget && running.size() < maxSequences) {
            RunningSequence admitted = admit(order[nextInQueue]);
            if (admitted == null) {
                break;
            }
            nextInQueue++;
            running.add(admitted);
            prefill(admitted, budget);
        }
        if (tokens == 0) {
            throw new IllegalStateException("Cannot simulate: no progress with " + running.size() + " sequences running and request "
                    + order[nextInQueue] + " waiting for " + pool.reclaimable() + " reclaimable blocks");
        }
        StepCost stepCost = cost.stepCost(new StepLoad(tokens, attentionPairs, logits, kvRead, kvWritten));
        steps++;
        seconds += stepCost.seconds();
        computeSeconds += stepCost.computeSeconds();
        memorySeconds += stepCost.memorySeconds();
        peakInUse = Math.max(peakInUse, pool.inUse());
        peakResident = Math.max(peakResident, pool.resident());
        running.removeIf(this::finishIfDone);
    }
    private void decode(RunningSequence seq) {
        long cached = (long) seq.prompt + seq.produced - 1; // the token fed now is not cached yet
        tokens++;
        attentionPairs += cached + 1;
        logits++;
        kvRead += cached;
        kvWritten++;
        seq.produced++;
    }

    /** Prefill tokens that bring the step's compute time up to its memory time, given the decodes already in it. */
    private long balancedPrefillTokens() {
        StepLoad decodes = new StepLoad(tokens, attentionPairs, logits, kvRead, kvWritten);
        double spareSeconds = cost.memorySeconds(cost.stepBytes(decodes)) - cost.computeSeconds(cost.stepFlops(decodes));
        return Math.max(0, (long) (spareSeconds * cost.hardware().flopsPerSecond() / cost.linearFlopsPerToken()));
    }

    private void prefill(RunningSequence seq, int budget) {
        int from = seq.computed;
        int to = (int) Math.min(seq.prompt, from + (budget - tokens));
        tokens += to - from;
        attentionPairs += CostModel.attentionPairs(from, to);
        kvRead += from;
        kvWritten += to - from;
        prefillTokens += to - from;
        seq.computed = to;
        for (int b = from / blockTokens; b < Math.min(seq.keyedBlocks, to / blockTokens); b++) {
            pool.markComputed(seq.blocks[b]);
        }
        if (to == seq.prompt) {
            logits++; // the prompt's last position gives the first output token
            seq.produced = 1;
        }
    }

    /** Admits {@code request} if a slot and its life's KV blocks are free; null when it has to wait. */
    private RunningSequence admit(int request) {
        int prompt = requests.get(request).promptLength();
        long[] keys = PromptBlocks.keys(tree, request, blockTokens); // (prompt / blockTokens) full prompt block keys
        int hits = 0;
        int unheldHits = 0;
        while (hits < keys.length) {
            int block = pool.lookup(keys[hits]);
            if (block < 0) {
                break;
            }
            if (!pool.isComputed(block)) {
                return null; // another sequence is computing this prefix: wait for it rather than compute it twice
            }
            hits++;
            unheldHits += pool.isHeld(block) ? 0 : 1;
        }
        if (hits * blockTokens >= prompt) {
            unheldHits -= pool.isHeld(pool.lookup(keys[hits - 1])) ? 0 : 1;
            hits--; // keep the last prompt token to compute: its logits give the first output token
        }
        int lifeBlocks = lifeBlocks(request);
        if (lifeBlocks - hits > pool.reclaimable() - unheldHits) {
            return null;
        }
        int[] blocks = new int[lifeBlocks];
        for (int b = 0; b < hits; b++) {
            blocks[b] = pool.lookup(keys[b]);
            pool.pin(blocks[b]);
        }
        for (int b = hits; b < lifeBlocks; b++) {
            blocks[b] = pool.allocate();
            if (b < keys.length) {
                pool.register(blocks[b], keys[b]);
            }
        }
        return new RunningSequence(prompt, outputs[request], blocks, keys.length, hits * blockTokens);
    }

    private boolean finishIfDone(RunningSequence seq) {
        if (seq.produced < seq.output) {
            return false;
        }
        for (int block : seq.blocks) {
            pool.release(block);
        }
        return true;
    }

    private int lifeBlocks(int request) {
        long life = (long) requests.get(request).promptLength() + outputs[request];
        return (int) ((life + blockTokens - 1) / blockTokens);
    }
}
