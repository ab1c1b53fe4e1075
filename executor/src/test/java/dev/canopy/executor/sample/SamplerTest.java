package dev.canopy.executor.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {

    private final Sampler sampler = new Sampler();

    /** Logits whose softmax is exactly {@code probs}. */
    private static float[] logitsOf(double... probs) {
        float[] logits = new float[probs.length];
        for (int i = 0; i < probs.length; i++) {
            logits[i] = (float) Math.log(probs[i]);
        }
        return logits;
    }

    /** Tokens drawn with seeds 0..draws-1, as a histogram. */
    private int[] histogram(float[] logits, SamplingParams params, int draws) {
        int[] counts = new int[logits.length];
        for (int seed = 0; seed < draws; seed++) {
            counts[sampler.sample(logits, 0, logits.length, params.toBuilder().seed(seed).build(), 0,
                    History.none()).tokenId()]++;
        }
        return counts;
    }

    private static Set<Integer> drawn(int[] histogram) {
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < histogram.length; i++) {
            if (histogram[i] > 0) {
                ids.add(i);
            }
        }
        return ids;
    }

    @Test
    void greedyTakesTheLowestIdAmongEqualMaxima() {
        float[] logits = {1f, 3f, -2f, 3f, 0f};
        assertThat(sampler.sample(logits, 0, 5, SamplingParams.greedy(4), 0, History.none()).tokenId()).isEqualTo(1);
        float[] padded = {9f, 9f, 1f, 3f, -2f, 3f, 0f};
        assertThat(sampler.sample(padded, 2, 5, SamplingParams.greedy(4), 0, History.none()).tokenId()).isEqualTo(1);
    }

    @Test
    void drawsFollowTheSoftmaxAtTheTemperature() {
        float[] logits = {0f, 1f, 2f};
        SamplingParams params = SamplingParams.builder().temperature(2).build();
        int[] counts = histogram(logits, params, 10_000);
        double z = Math.exp(0) + Math.exp(0.5) + Math.exp(1);
        for (int i = 0; i < 3; i++) {
            assertThat(counts[i] / 10_000.0).isCloseTo(Math.exp(i / 2.0) / z, within(0.02));
        }
    }

    @Test
    void topKKeepsTheKMostLikelyTokensWithTiesToTheLowerId() {
        float[] logits = {1f, 5f, 3f, 3f, 4f, 0f};
        SamplingParams params = SamplingParams.builder().topK(3).build();
        assertThat(drawn(histogram(logits, params, 2_000))).containsExactlyInAnyOrder(1, 4, 2);
    }

    @Test
    void topPKeepsTheSmallestMostLikelySetReachingP() {
        float[] logits = logitsOf(0.05, 0.5, 0.15, 0.3);
        assertThat(drawn(histogram(logits, SamplingParams.builder().topP(0.75).build(), 2_000)))
                .containsExactlyInAnyOrder(1, 3);
        assertThat(drawn(histogram(logits, SamplingParams.builder().topP(0.85).build(), 2_000)))
                .containsExactlyInAnyOrder(1, 3, 2);
        assertThat(drawn(histogram(logits, SamplingParams.builder().topP(0.4).build(), 200)))
                .containsExactly(1);
    }

    @Test
    void topPWorksBeyondTheFirstSortedFrontOnAFlatDistribution() {
        float[] flat = new float[1000]; // all equal: top-p 0.5 keeps exactly the 500 lowest ids
        int[] counts = histogram(flat, SamplingParams.builder().topP(0.5).build(), 5_000);
        assertThat(drawn(counts)).allMatch(id -> id < 500).hasSizeGreaterThan(400);
    }

    @Test
    void minPDropsTokensLessLikelyThanAFractionOfTheBest() {
        float[] logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        SamplingParams params = SamplingParams.builder().minP(0.2).build(); // keeps p >= 0.1
        assertThat(drawn(histogram(logits, params, 2_000))).containsExactlyInAnyOrder(0, 1, 2);
    }

    @Test
    void filtersCombineInVllmOrderMinPThenTopKThenTopP() {
        float[] logits = logitsOf(0.4, 0.3, 0.2, 0.06, 0.04);
        SamplingParams params = SamplingParams.builder().minP(0.12).topK(3).topP(0.7).build();
        // min-p keeps 0..3 (p >= 0.048), top-k keeps 0..2, top-p on 0.4/0.9, 0.3/0.9 reaches 0.7 at token 1
        assertThat(drawn(histogram(logits, params, 2_000))).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void negativeInfinityLogitsAreNeverDrawn() {
        float[] logits = {Float.NEGATIVE_INFINITY, 0f, Float.NEGATIVE_INFINITY, 0f};
        assertThat(drawn(histogram(logits, SamplingParams.builder().build(), 500))).containsExactlyInAnyOrder(1, 3);
    }

    @Test
    void theDrawDependsOnlyOnSeedSampleIndexAndStep() {
        SplittableRandom random = new SplittableRandom(3);
        float[] logits = new float[5000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = (float) random.nextGaussian();
        }
        SamplingParams params = SamplingParams.builder().seed(1234).topP(0.95).build();
        int first = sampler.sample(logits, 0, logits.length, params, 2, History.atStep(7)).tokenId();
        Sampler busy = new Sampler(); // another sampler that has drawn many unrelated tokens first
        for (int t = 0; t < 50; t++) {
            busy.sample(logits, 0, logits.length, params.toBuilder().seed(t).build(), t % 3, History.atStep(t));
        }
        assertThat(busy.sample(logits, 0, logits.length, params, 2, History.atStep(7)).tokenId()).isEqualTo(first);

        Set<Integer> otherCoordinates = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            otherCoordinates.add(sampler.sample(logits, 0, logits.length, params, i, History.atStep(7)).tokenId());
        }
        assertThat(otherCoordinates).hasSizeGreaterThan(10);
    }

    @Test
    void logprobsAreTheLogSoftmaxOfThePenalizedLogitsWithTheTopAlternatives() {
        float[] logits = {0.5f, 2f, -1f, 2f, 1f, Float.NEGATIVE_INFINITY};
        SamplingParams params = SamplingParams.builder().temperature(0.7).topK(2).logprobs(3).build();
        SampledToken token = sampler.sample(logits, 0, logits.length, params, 0, History.none());

        double logZ = Math.log(Arrays.stream(new double[]{0.5, 2, -1, 2, 1}).map(Math::exp).sum());
        assertThat(token.tokenId()).isIn(1, 3);
        assertThat(token.logprob().orElseThrow()).isCloseTo(2 - logZ, within(1e-6));
        assertThat(token.topLogprobs()).extracting(TokenLogprob::tokenId).containsExactly(1, 3, 4);
        assertThat(token.topLogprobs().get(2).logprob()).isCloseTo(1 - logZ, within(1e-6));
    }

    @Test
    void withoutLogprobsNoneAreReturned() {
        SampledToken token = sampler.sample(new float[]{1f, 2f}, 0, 2, SamplingParams.greedy(1), 0, History.none());
        assertThat(token).isEqualTo(SampledToken.of(1));
        SampledToken onlyChosen = sampler.sample(new float[]{1f, 2f}, 0, 2,
                SamplingParams.builder().temperature(0).logprobs(0).build(), 0, History.none());
        assertThat(onlyChosen.logprob()).isPresent();
        assertThat(onlyChosen.topLogprobs()).isEmpty();
    }

    @Test
    void penaltiesChangeTheArgmax() {
        float[] logits = {2f, 1.5f, 1f};
        History history = new History(new int[]{0}, new int[]{1, 1});
        SamplingParams repetition = SamplingParams.builder().temperature(0).repetitionPenalty(2).build();
        // token 0: 2 / 2 = 1 (prompt); token 1: 1.5 / 2 = 0.75 (generated); token 2 untouched: 1, lowest id wins
        assertThat(sampler.sample(logits, 0, 3, repetition, 0, history).tokenId()).isEqualTo(0);
        SamplingParams frequency = SamplingParams.builder().temperature(0).frequencyPenalty(0.5).logprobs(0).build();
        // frequency covers generated tokens only: token 1 drops to 0.5, token 0 keeps 2
        SampledToken t = sampler.sample(logits, 0, 3, frequency, 0, history);
        double logZ = Math.log(Math.exp(2) + Math.exp(0.5) + Math.exp(1));
        assertThat(t.tokenId()).isEqualTo(0);
        assertThat(t.logprob().orElseThrow()).isCloseTo(2 - logZ, within(1e-6));
    }

    @Test
    void badLogitsAreRejected() {
        SamplingParams params = SamplingParams.builder().build();
        assertThatThrownBy(() -> sampler.sample(new float[]{0f, Float.NaN}, 0, 2, params, 0, History.none()))
                .hasMessage("Cannot sample: the logit of token 1 is NaN (logits must be finite or -Infinity)");
        assertThatThrownBy(() -> sampler.sample(new float[]{Float.NEGATIVE_INFINITY}, 0, 1, params, 0,
                History.none())).hasMessage("Cannot sample: all 1 logits are -Infinity");
        assertThatThrownBy(() -> sampler.sample(new float[4], 2, 3, params, 0, History.none()))
                .hasMessage("Cannot sample: logits [2, 2 + 3) do not fit in a row of 4 with a vocabulary of at least 1");
        SamplingParams penalized = params.toBuilder().presencePenalty(1).build();
        assertThatThrownBy(() -> sampler.sample(new float[4], 0, 4, penalized, 0,
                new History(new int[]{1, 9}, new int[0])))
                .hasMessage("Cannot apply penalties: prompt token 1 has id 9, outside the vocabulary [0, 4)");
    }

    @Test
    void aRowInNativeMemorySamplesAsTheSameRowInAnArray() {
        SplittableRandom random = new SplittableRandom(5);
        float[] logits = new float[1000];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = random.nextInt(4) == 0 ? Float.NEGATIVE_INFINITY : (float) random.nextGaussian();
        }
        History history = new History(new int[] {3, 4}, new int[] {5, 5, 6});
        SamplingParams greedy = SamplingParams.greedy(4);
        SamplingParams[] params = {greedy, greedy.toBuilder().logprobs(3).build(),
            greedy.toBuilder().repetitionPenalty(2).build(), SamplingParams.builder().temperature(0.7).topP(0.9).build()};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment row = arena.allocate(4L * logits.length).copyFrom(MemorySegment.ofArray(logits));
            for (SamplingParams p : params) {
                assertThat(sampler.sample(row, 999, p, 1, history)).as("%s", p)
                        .isEqualTo(sampler.sample(logits, 0, 999, p, 1, history));
            }
            assertThatThrownBy(() -> sampler.sample(row.asSlice(0, 8), 3, greedy, 0, History.none()))
                    .hasMessage("Cannot sample: a row of 8 bytes does not hold a vocabulary of 3 floats (at least 1)");
        }
    }

    @Test
    void greedyRowsAreCheckedLikeSampledOnes() {
        SamplingParams greedy = SamplingParams.greedy(4);
        assertThatThrownBy(() -> sampler.sample(new float[]{0f, Float.POSITIVE_INFINITY, Float.NaN}, 0, 3, greedy, 0,
                History.none()))
                .hasMessage("Cannot sample: the logit of token 1 is Infinity (logits must be finite or -Infinity)");
        assertThatThrownBy(() -> sampler.sample(new float[]{Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 0, 2,
                greedy, 0, History.none())).hasMessage("Cannot sample: all 2 logits are -Infinity");
    }
}
