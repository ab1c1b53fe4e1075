package dev.canopy.executor.engine;

import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.ForwardBatch;
import dev.canopy.executor.model.ModelConfig;
import dev.canopy.executor.sample.SampledToken;
import dev.canopy.executor.sample.Sampler;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sched.FinishReason;
import dev.canopy.executor.sched.ScheduledChunk;
import dev.canopy.executor.sched.ScheduledStep;
import dev.canopy.executor.sched.Scheduler;
import dev.canopy.executor.sched.Sequence;
import dev.canopy.executor.kv.BlockCopy;
import dev.canopy.executor.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ObjIntConsumer;

/**
 * One {@code generate} call: the step loop (schedule → forward → sample → postprocess) until every
 * request has its result. Results go to the sink as soon as each request's last sample finishes.
 */
final class GenerationRun {

    /** Waiting sequences, next in line to be admitted, whose offloaded blocks are prefetched during a step. */
    private static final int PREFETCH_SEQUENCES = 4;
    /** Waiting sequences, next in line, whose prefixes the plan of which evicted prefix blocks to keep looks at. */
    private static final int PLAN_HORIZON = 1024;

    private final ModelConfig config;
    private final Tokenizer tokenizer;
    private final Backend backend;
    private final Scheduler scheduler;
    private final KvSwapper swapper; // null: no offload
    private final Sampler sampler = new Sampler();
    private final ObjIntConsumer<GenerationResult> sink; // (result, input index)
    private final long startNanos = System.nanoTime();
    private final Map<Long, RequestState> bySequenceId = new HashMap<>();
    private long steps;
    private long promptTokens;
    private long prefillTokens;
    private long cachedTokens;
    private long generatedTokens;
    private long preemptions;
    private long requests;
    private int peakBlocks;

    GenerationRun(ModelConfig config, Tokenizer tokenizer, Backend backend, Scheduler scheduler, KvSwapper swapper,
                  ObjIntConsumer<GenerationResult> sink) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.backend = backend;
        this.scheduler = scheduler;
        this.swapper = swapper;
        this.sink = sink;
    }

    /** Runs every request to completion, in the order given (first come, first admitted). */
    EngineMetrics run(List<GenerationRequest> requests) {
        long nextRequestId = 0;
        for (int i = 0; i < requests.size(); i++) {
            admit(requests.get(i), i, nextRequestId++);
        }
        while (scheduler.hasUnfinished()) {
            step();
        }
        return new EngineMetrics(this.requests, steps, promptTokens, prefillTokens, cachedTokens, generatedTokens,
                preemptions, peakBlocks, scheduler.blockManager().numBlocks(), System.nanoTime() - startNanos);
    }

    private void admit(GenerationRequest req, int index, long requestId) {
        int[] prompt;
        if (req.promptTokens() != null) {
            prompt = req.promptTokens();
            for (int t : prompt) {
                if (t < 0 || t >= config.vocab()) {
                    emitFailure(req, index, prompt.length, "Cannot generate for request " + req.id()
                            + ": prompt token id " + t + " is outside the vocabulary [0, " + config.vocab() + ")");
                    return;
                }
            }
        } else if (req.prompt() == null) {
            emitFailure(req, index, 0, "Cannot generate for request " + req.id() + ": prompt is null");
            return;
        } else if (req.prompt().isEmpty()) {
            emitFailure(req, index, 0, "Cannot generate for request " + req.id() + ": the prompt is empty");
            return;
        } else {
            try {
                prompt = tokenizer.encode(req.prompt(), tokenizer.addBosByDefault(), false);
            } catch (RuntimeException e) {
                emitFailure(req, index, 0, "Cannot tokenize the prompt of request " + req.id() + ": " + e.getMessage());
                return;
            }
        }
        if (prompt.length == 0) {
            emitFailure(req, index, 0, "Cannot generate for request " + req.id() + ": the prompt is empty");
            return;
        }
        if (prompt.length >= config.contextLength()) {
            emitFailure(req, index, prompt.length, "Cannot generate for request " + req.id() + ": the prompt has "
                    + prompt.length + " tokens, but the model's context holds " + config.contextLength()
                    + " (prompt and completion together)");
            return;
        }
        List<Sequence> seqs = scheduler.add(requestId, prompt, req.params());
        List<SampleOutput> outputs = new ArrayList<>();
        for (int i = 0; i < seqs.size(); i++) {
            outputs.add(new SampleOutput(i, tokenizer, req.params().stop()));
        }
        RequestState state = new RequestState(req, index, prompt.length, seqs, outputs);
        for (Sequence s : seqs) {
            bySequenceId.put(s.id(), state);
        }
        promptTokens += prompt.length;
    }

    private void step() {
        if (swapper != null) {
            swapper.plan(scheduler.nextToAdmit(PLAN_HORIZON)); // which evicted prefix blocks are worth keeping
        }
        ScheduledStep step = scheduler.schedule();
        preemptions += step.preempted().size();
        for (Sequence failed : step.failed()) {
            finished(failed, FinishReason.ERROR, failed.errorMessage().orElse("failed"));
        }
        if (step.isEmpty()) {
            scheduler.postprocess(step, new int[0]);
            return;
        }
        for (BlockCopy copy : step.copies()) {
            backend.copyBlock(copy.srcBlock(), copy.dstBlock());
        }
        if (swapper != null) {
            swapper.prefetch(scheduler.nextToAdmit(PREFETCH_SEQUENCES), // moves while the forward computes
                    scheduler.blockManager()::cachedPrefixBlocks);
        }
        long forwardStart = System.nanoTime();
        float[] logits = backend.forward(toBatch(step));
        if (swapper != null) {
            swapper.recordForward(step.numTokens(), System.nanoTime() - forwardStart);
        }
        steps++;
        peakBlocks = Math.max(peakBlocks, scheduler.blockManager().usedBlockCount());
        List<ScheduledChunk> sampledChunks = new ArrayList<>();
        int[] sampled = new int[step.numSampledChunks()];
        List<SampledToken> sampledTokens = new ArrayList<>();
        int k = 0;
        for (ScheduledChunk chunk : step.chunks()) {
            Sequence seq = chunk.seq();
            if (seq.numComputedTokens() < seq.numPromptTokens()) {
                int promptPart = Math.min(chunk.endPos(), seq.numPromptTokens()) - chunk.startPos();
                prefillTokens += Math.max(0, promptPart);
            }
            if (!chunk.needsLogits()) {
                continue;
            }
            SamplingParams p = seq.params();
            SampledToken t = sampler.sample(logits, k * config.vocab(), tokenizer.vocabSize(), p, seq.sampleIndex(), seq);
            sampled[k++] = t.tokenId();
            sampledChunks.add(chunk);
            sampledTokens.add(t);
        }
        scheduler.postprocess(step, sampled);
        for (int i = 0; i < sampledChunks.size(); i++) {
            afterSample(sampledChunks.get(i).seq(), sampledTokens.get(i));
        }
    }

    /** Decides whether a sequence that just got a token is done: EOS, stop token, stop string, length. */
    private void afterSample(Sequence seq, SampledToken t) {
        if (seq.isFinished()) {
            return;
        }
        generatedTokens++;
        RequestState state = bySequenceId.get(seq.id());
        SampleOutput out = state.outputs.get(seq.sampleIndex());
        SamplingParams p = seq.params();
        if (p.logprobs().isPresent()) {
            out.addLogprobs(t);
        }
        int token = t.tokenId();
        if ((!p.ignoreEos() && tokenizer.isEndOfGeneration(token)) || p.isStopTokenId(token)) {
            end(seq, FinishReason.STOP);
        } else if (out.appendText(token)) {
            end(seq, FinishReason.STOP);
        } else if (seq.numGeneratedTokens() >= p.maxTokens() || seq.numTokens() >= config.contextLength()) {
            end(seq, FinishReason.LENGTH);
        }
    }

    private void end(Sequence seq, FinishReason reason) {
        for (Sequence s : scheduler.finish(seq, reason)) {
            finished(s, reason, null);
        }
    }

    private void finished(Sequence seq, FinishReason reason, String message) {
        RequestState state = bySequenceId.get(seq.id());
        if (state.sampleFinished(seq.sampleIndex(), reason, message)) {
            cachedTokens += state.sequences.get(0).numCachedTokens();
            requests++;
            sink.accept(state.toResult(System.nanoTime() - startNanos), state.inputIndex);
        }
    }

    private void emitFailure(GenerationRequest req, int index, int promptTokens, String message) {
        requests++;
        sink.accept(GenerationResult.failed(req.id(), promptTokens, message, System.nanoTime() - startNanos), index);
    }

    /** Flattens a step's chunks into forward rows, with logits for chunks that sample. */
    private static ForwardBatch toBatch(ScheduledStep step) {
        int rows = step.numTokens();
        int[] tokens = new int[rows];
        int[] positions = new int[rows];
        int[] rowSeq = new int[rows];
        int[][] tables = new int[step.chunks().size()][];
        int[] logitRows = new int[step.numSampledChunks()];
        int r = 0;
        int l = 0;
        for (int c = 0; c < step.chunks().size(); c++) {
            ScheduledChunk chunk = step.chunks().get(c);
            tables[c] = chunk.seq().blockTable().toArray();
            for (int pos = chunk.startPos(); pos < chunk.endPos(); pos++) {
                tokens[r] = chunk.seq().tokenAt(pos);
                positions[r] = pos;
                rowSeq[r] = c;
                r++;
            }
            if (chunk.needsLogits()) {
                logitRows[l++] = r - 1;
            }
        }
        return new ForwardBatch(tokens, positions, rowSeq, tables, logitRows);
    }
}
