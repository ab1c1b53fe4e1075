package dev.canopy.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.kv.BlockManagerConfig;
import dev.canopy.executor.model.LogitRows;
import dev.canopy.executor.sample.SampledToken;
import dev.canopy.executor.sample.Sampler;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sched.Scheduler;
import dev.canopy.executor.sched.SchedulerConfig;
import dev.canopy.executor.sched.Sequence;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Rows sampled together, on one thread or several, get exactly what a sampler gives each row alone. */
class StepSamplerTest {

    private static final int VOCAB = 2048; // 40 rows of it are past the threshold for sampling on the team
    private static final int ROWS = 40;

    /** One sequence per row: greedy, sampled, with logprobs, with penalties, by turns; each with its own seed. */
    private static List<Sequence> sequences(int rows) {
        Scheduler scheduler = new Scheduler(new SchedulerConfig(4096, rows),
                new BlockManager(new BlockManagerConfig(4 * rows, 16, false)));
        List<Sequence> out = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            SamplingParams.Builder p = switch (r % 4) {
                case 0 -> SamplingParams.builder().temperature(0);
                case 1 -> SamplingParams.builder().temperature(0.8).topP(0.95);
                case 2 -> SamplingParams.builder().temperature(0).logprobs(2);
                default -> SamplingParams.builder().temperature(1.1).topK(40).repetitionPenalty(1.3);
            };
            out.addAll(scheduler.add(r, new int[] {r, r + 1, 7}, p.seed(100 + r).build()));
        }
        return out;
    }

    private static float[] logits(int rows, int vocab, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] logits = new float[rows * vocab]; // (rows, vocab)
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) (2 * random.nextGaussian());
        }
        return logits;
    }

    /** Each row on its own with a fresh sampler, ids below {@code vocab}. */
    private static List<SampledToken> oneByOne(float[] logits, int stride, int vocab, List<Sequence> sequences) {
        List<SampledToken> out = new ArrayList<>();
        for (int r = 0; r < sequences.size(); r++) {
            Sequence s = sequences.get(r);
            out.add(new Sampler().sample(logits, r * stride, vocab, s.params(), s.sampleIndex(), s));
        }
        return out;
    }

    @Test
    void rowsSampledTogetherAreTheRowsSampledOneByOne() {
        List<Sequence> sequences = sequences(ROWS);
        float[] logits = logits(ROWS, VOCAB, 1);
        assertThat((long) ROWS * VOCAB).isGreaterThanOrEqualTo(StepSampler.PARALLEL_MIN_LOGITS);
        for (int threads : new int[] {1, 3}) {
            try (StepSampler sampler = new StepSampler(threads)) {
                for (int vocab : new int[] {VOCAB, VOCAB - 100}) { // the tokenizer's ids may be fewer than the rows'
                    assertThat(sampler.sample(LogitRows.of(logits, ROWS), vocab, sequences))
                            .as("%s threads, ids below %s", threads, vocab)
                            .containsExactlyElementsOf(oneByOne(logits, VOCAB, vocab, sequences));
                }
            }
        }
    }

    @Test
    void aFailureIsTheFirstFailingRowsWhicheverThreadSawItFirst() {
        List<Sequence> sequences = sequences(ROWS);
        float[] logits = logits(ROWS, VOCAB, 2);
        logits[30 * VOCAB + 5] = Float.NaN;
        logits[7 * VOCAB + 9] = Float.POSITIVE_INFINITY;
        try (StepSampler sampler = new StepSampler(3)) {
            assertThatThrownBy(() -> sampler.sample(LogitRows.of(logits, ROWS), VOCAB, sequences))
                    .hasMessage("Cannot sample: the logit of token 9 is Infinity (logits must be finite or -Infinity)");
        }
    }

    @Test
    void rowsAndSequencesMustAgree() {
        try (StepSampler sampler = new StepSampler(1)) {
            assertThatThrownBy(() -> sampler.sample(LogitRows.of(new float[20], 2), 10, sequences(3)))
                    .hasMessage("Cannot sample a step: 3 sequences and ids below 10 for 2 logit rows of 10");
            assertThatThrownBy(() -> sampler.sample(LogitRows.of(new float[20], 2), 11, sequences(2)))
                    .hasMessage("Cannot sample a step: 2 sequences and ids below 11 for 2 logit rows of 10");
            assertThat(sampler.sample(LogitRows.of(new float[0], 0), 10, List.of())).isEmpty();
        }
    }
}
