package dev.canopy.executor.engine;

import dev.canopy.executor.model.LogitRows;
import dev.canopy.executor.sample.SampledToken;
import dev.canopy.executor.sample.Sampler;
import dev.canopy.executor.sched.Sequence;
import dev.canopy.executor.tensor.Parallel;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Samples every logit row of a step, several rows at once on a thread team when the step holds many logits.
 * Each row gets exactly the token {@link Sampler} gives it alone: a row's draw depends only on its logits, its
 * sequence's params and history and its counter-based random number, never on other rows or on which thread
 * samples it. A failure is the first failing row's, in row order, as if the rows were sampled one after another.
 */
final class StepSampler implements AutoCloseable {

    /** Logits in a step below which the rows are sampled on the calling thread (waking the team costs more). */
    static final long PARALLEL_MIN_LOGITS = 1 << 16;

    private final Parallel team;
    private final ConcurrentLinkedQueue<Sampler> idle = new ConcurrentLinkedQueue<>(); // one per busy thread at most

    /** A sampler sampling on {@code threads} threads, the caller's included. */
    StepSampler(int threads) {
        this.team = new Parallel(threads);
    }

    /**
     * Samples logit row k for {@code sequences.get(k)}, from its first {@code vocab} logits.
     *
     * @param vocab ids a token may take (the tokenizer's vocabulary), at most {@code logits.vocab()}
     * @return (sequences.size()) the tokens, in row order
     * @throws IllegalArgumentException the first failing row's error (see {@link Sampler#sample})
     */
    SampledToken[] sample(LogitRows logits, int vocab, List<Sequence> sequences) {
        int rows = sequences.size();
        if (rows != logits.rows() || (rows > 0 && vocab > logits.vocab())) {
            throw new IllegalArgumentException("Cannot sample a step: " + rows + " sequences and ids below " + vocab
                    + " for " + logits.rows() + " logit rows of " + logits.vocab());
        }
        SampledToken[] tokens = new SampledToken[rows];
        RuntimeException[] failures = new RuntimeException[rows];
        if (rows > 1 && (long) rows * vocab >= PARALLEL_MIN_LOGITS) {
            team.forRange(rows, (start, end) -> sampleRange(logits, vocab, sequences, start, end, tokens, failures));
        } else {
            sampleRange(logits, vocab, sequences, 0, rows, tokens, failures);
        }
        for (RuntimeException failure : failures) {
            if (failure != null) {
                throw failure;
            }
        }
        return tokens;
    }

    private void sampleRange(LogitRows logits, int vocab, List<Sequence> sequences, int start, int end,
                             SampledToken[] tokens, RuntimeException[] failures) {
        Sampler sampler = idle.poll();
        if (sampler == null) {
            sampler = new Sampler();
        }
        try {
            for (int k = start; k < end; k++) {
                Sequence seq = sequences.get(k);
                try {
                    tokens[k] = sampler.sample(logits.row(k), vocab, seq.params(), seq.sampleIndex(), seq);
                } catch (RuntimeException e) {
                    failures[k] = e;
                }
            }
        } finally {
            idle.offer(sampler);
        }
    }

    @Override
    public void close() {
        team.close();
    }
}
