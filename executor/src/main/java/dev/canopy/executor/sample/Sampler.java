package dev.canopy.executor.sample;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Chooses the next token from one row of logits, following vLLM: penalties, then (unless greedy)
 * temperature, min-p, top-k, top-p, and a draw.
 *
 * <ul>
 *   <li>Greedy (temperature 0): the argmax of the penalized logits, lowest id on ties; filters are ignored.</li>
 *   <li>Ranking is by penalized logit, highest first, ties by lower id. Nothing is fully sorted: top-k uses
 *       quickselect then sorts the k kept; top-p sums masses per log-probability bucket and sorts one bucket.</li>
 *   <li>min-p keeps tokens with {@code p >= minP * pMax}, i.e. {@code logit >= maxLogit + T * ln(minP)}; top-p keeps
 *       the most likely tokens until their mass (within what min-p and top-k kept) reaches {@code topP}, the
 *       token crossing the threshold included.</li>
 *   <li>The draw uses one uniform number from {@code (seed, sampleIndex, history.numGeneratedTokens())} alone
 *       ({@link CounterRandom}): the same logits give the same token whatever the batch or the order.</li>
 *   <li>Logprobs are the log-softmax of the <em>penalized</em> logits, before temperature and filters, so they
 *       describe the model's distribution and do not change with the sampling knobs.</li>
 * </ul>
 *
 * <p>Greedy rows without penalties or logprobs are chosen in one read of the caller's row, nothing copied; the
 * others are copied into a scratch row first.
 *
 * <p>Keeps scratch arrays of the vocabulary size: not thread-safe, use one sampler per thread.
 */
public final class Sampler {

    private static final int BUCKETS = 1024; // top-p buckets
    private static final double BUCKET_RANGE = 32.0; // log-probability span of the buckets below the maximum

    private float[] logits = new float[0]; // (vocab) the row being sampled, penalized in place
    private MemorySegment scratch = MemorySegment.ofArray(logits); // logits, for the vectorized scans
    private double[] weight = new double[0]; // (vocab) exp((logit - max) / T) of the candidates, by token id
    private int[] bucket = new int[0]; // (vocab) top-p bucket of the candidates, by token id
    private final double[] bucketMass = new double[BUCKETS]; // (BUCKETS) weight of the candidates in each bucket
    private final TokenRanking ranking = new TokenRanking();
    private final Penalties penalties = new Penalties();

    /**
     * Samples from {@code row[offset, offset + vocab)}; {@code row} is not modified.
     *
     * @param sampleIndex which of the request's {@code n} samples this is (part of the random draw's coordinates)
     * @param history     prompt and generated tokens of that sample; its generated count is the draw's step
     * @throws IllegalArgumentException on a bad range, a NaN or +infinity logit, every logit -infinity, or a token
     *     id in the history outside the vocabulary
     */
    public SampledToken sample(float[] row, int offset, int vocab, SamplingParams params, int sampleIndex,
                               TokenHistory history) {
        if (vocab < 1 || offset < 0 || (long) offset + vocab > row.length) {
            throw new IllegalArgumentException("Cannot sample: logits [" + offset + ", " + offset + " + " + vocab
                    + ") do not fit in a row of " + row.length + " with a vocabulary of at least 1");
        }
        return sample(MemorySegment.ofArray(row).asSlice(4L * offset, 4L * vocab), vocab, params, sampleIndex,
                history);
    }

    /**
     * Samples from the first {@code vocab} floats of {@code row} (native byte order, on the heap or in native
     * memory), as {@link #sample(float[], int, int, SamplingParams, int, TokenHistory)} does; {@code row} is not
     * modified.
     *
     * @throws IllegalArgumentException as the other {@code sample} does, or if {@code row} holds fewer than
     *     {@code vocab} floats
     */
    public SampledToken sample(MemorySegment row, int vocab, SamplingParams params, int sampleIndex,
                               TokenHistory history) {
        if (vocab < 1 || row.byteSize() < 4L * vocab) {
            throw new IllegalArgumentException("Cannot sample: a row of " + row.byteSize() + " bytes does not hold "
                    + "a vocabulary of " + vocab + " floats (at least 1)");
        }
        if (params.isGreedy() && !params.hasPenalties() && params.logprobs().isEmpty()) {
            return SampledToken.of(LogitScan.firstIndexOf(row, vocab, LogitScan.checkedMax(row, vocab)));
        }
        if (logits.length < vocab) {
            logits = new float[vocab];
            weight = new double[vocab];
            bucket = new int[vocab];
            scratch = MemorySegment.ofArray(logits);
        }
        MemorySegment.copy(row, ValueLayout.JAVA_FLOAT, 0, logits, 0, vocab);
        LogitScan.checkedMax(scratch, vocab);
        if (params.hasPenalties()) {
            penalties.apply(logits, vocab, params, history);
        }
        int token;
        if (params.isGreedy()) {
            token = argmax(vocab);
        } else {
            double u = CounterRandom.uniform(params.seed(), sampleIndex, history.numGeneratedTokens());
            token = draw(vocab, params, u);
        }
        if (params.logprobs().isEmpty()) {
            return SampledToken.of(token);
        }
        return withLogprobs(token, vocab, params.logprobs().getAsInt());
    }

    /** The lowest id among the largest penalized logits (which are never NaN). */
    private int argmax(int vocab) {
        return LogitScan.firstIndexOf(scratch, vocab, LogitScan.max(scratch, vocab));
    }

    private int draw(int vocab, SamplingParams params, double u) {
        float max = logits[argmax(vocab)];
        double temperature = params.temperature();
        double floor = params.minP() > 0 ? max + temperature * Math.log(params.minP()) : Double.NEGATIVE_INFINITY;
        ranking.reset(vocab);
        for (int i = 0; i < vocab; i++) {
            float x = logits[i];
            if (x != Float.NEGATIVE_INFINITY && x >= floor) {
                ranking.add(i, x);
            }
        }
        if (params.topK() > 0 && params.topK() < ranking.count()) {
            ranking.keepBest(params.topK());
            ranking.sortBest(params.topK());
        }
        int n = ranking.count();
        double total = 0;
        for (int r = 0; r < n; r++) {
            int id = ranking.tokenId(r);
            weight[id] = Math.exp((logits[id] - max) / temperature);
            total += weight[id];
        }
        if (params.topP() < 1) {
            total = keepTopP(params.topP() * total, n, max, temperature);
            n = ranking.count();
        }
        double target = u * total;
        double cumulative = 0;
        for (int r = 0; r < n - 1; r++) {
            cumulative += weight[ranking.tokenId(r)];
            if (cumulative > target) {
                return ranking.tokenId(r);
            }
        }
        return ranking.tokenId(n - 1);
    }

    /**
     * Cuts the ranking after the token whose cumulative weight, in rank order, first reaches {@code threshold}.
     * Without sorting everything: candidates fall into buckets of equal width in log-probability, the bucket where
     * the cumulative mass crosses the threshold is found from bucket sums, and only that bucket is sorted.
     * Returns the kept weight.
     */
    private double keepTopP(double threshold, int n, float max, double temperature) {
        Arrays.fill(bucketMass, 0);
        for (int r = 0; r < n; r++) {
            int id = ranking.tokenId(r);
            bucket[id] = bucketOf(logits[id], max, temperature);
            bucketMass[bucket[id]] += weight[id];
        }
        int boundary = 0;
        double kept = 0;
        while (boundary < BUCKETS - 1 && kept + bucketMass[boundary] < threshold) {
            kept += bucketMass[boundary++];
        }
        int cut = boundary;
        int start = ranking.partition(0, id -> bucket[id] < cut);
        int end = ranking.partition(start, id -> bucket[id] == cut);
        ranking.sortRange(start, end);
        for (int r = start; r < end; r++) {
            kept += weight[ranking.tokenId(r)];
            if (kept >= threshold) {
                end = r + 1;
                break;
            }
        }
        ranking.truncate(end);
        return kept;
    }

    /** Bucket of a logit: {@link #BUCKETS} buckets of width {@link #BUCKET_RANGE}/BUCKETS below the maximum. */
    private static int bucketOf(float logit, float max, double temperature) {
        return (int) Math.min(BUCKETS - 1, (max - logit) / temperature * (BUCKETS / BUCKET_RANGE));
    }

    private SampledToken withLogprobs(int token, int vocab, int numAlternatives) {
        float max = logits[argmax(vocab)];
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[i] - max);
        }
        double logSumExp = max + Math.log(sum);
        List<TokenLogprob> alternatives = new ArrayList<>(numAlternatives);
        if (numAlternatives > 0) {
            ranking.reset(vocab);
            for (int i = 0; i < vocab; i++) {
                if (logits[i] != Float.NEGATIVE_INFINITY) {
                    ranking.add(i, logits[i]);
                }
            }
            ranking.sortBest(numAlternatives);
            for (int r = 0; r < Math.min(numAlternatives, ranking.count()); r++) {
                int id = ranking.tokenId(r);
                alternatives.add(new TokenLogprob(id, logits[id] - logSumExp));
            }
        }
        return new SampledToken(token, OptionalDouble.of(logits[token] - logSumExp), alternatives);
    }
}
