package dev.canopy.executor.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class SamplingParamsTest {

    private static SamplingParams.Builder defaults() {
        return SamplingParams.builder();
    }

    @Test
    void defaultsAreNeutralAndReproducible() {
        SamplingParams p = defaults().build();
        assertThat(p.temperature()).isEqualTo(1.0);
        assertThat(p.topK()).isZero();
        assertThat(p.topP()).isEqualTo(1.0);
        assertThat(p.seed()).isEqualTo(SamplingParams.DEFAULT_SEED);
        assertThat(p.n()).isEqualTo(1);
        assertThat(p.logprobs()).isEqualTo(OptionalInt.empty());
        assertThat(p.hasPenalties()).isFalse();
        assertThat(p.isGreedy()).isFalse();
        assertThat(SamplingParams.greedy(7).isGreedy()).isTrue();
        assertThat(SamplingParams.greedy(7).maxTokens()).isEqualTo(7);
    }

    @Test
    void valuesAreCopiedAndComparedByContent() {
        int[] ids = {2, 3};
        SamplingParams p = defaults().stopTokenIds(ids).stop(List.of("\n\n")).build();
        ids[0] = 99;
        assertThat(p.stopTokenIds()).containsExactly(2, 3);
        assertThat(p.isStopTokenId(3)).isTrue();
        assertThat(p.isStopTokenId(99)).isFalse();
        assertThat(p).isEqualTo(p.toBuilder().build()).hasSameHashCodeAs(p.toBuilder().build());
        assertThat(p.toBuilder().seed(1).build()).isNotEqualTo(p);
    }

    @Test
    void everyFieldIsValidatedWithItsRange() {
        assertRejected(defaults().temperature(-0.1), "temperature must be in [0, inf) (0 = greedy), got -0.1");
        assertRejected(defaults().temperature(Double.NaN), "temperature must be in [0, inf) (0 = greedy), got NaN");
        assertRejected(defaults().topK(-1), "topK must be in [0, 2^31) (0 = off), got -1");
        assertRejected(defaults().topP(0), "topP must be in (0, 1] (1 = off), got 0.0");
        assertRejected(defaults().topP(1.5), "topP must be in (0, 1] (1 = off), got 1.5");
        assertRejected(defaults().minP(Double.NaN), "minP must be in [0, 1] (0 = off), got NaN");
        assertRejected(defaults().maxTokens(0), "maxTokens must be in [1, 2^31), got 0");
        assertRejected(defaults().stopTokenIds(1, -2), "stopTokenIds must be in token ids >= 0, got [1, -2]");
        assertRejected(defaults().presencePenalty(2.5), "presencePenalty must be in [-2, 2] (0 = off), got 2.5");
        assertRejected(defaults().frequencyPenalty(Double.POSITIVE_INFINITY),
                "frequencyPenalty must be in [-2, 2] (0 = off), got Infinity");
        assertRejected(defaults().repetitionPenalty(0), "repetitionPenalty must be in (0, 10.0] (1 = off), got 0.0");
        assertRejected(defaults().n(0), "n must be in [1, 128], got 0");
        assertRejected(defaults().n(129), "n must be in [1, 128], got 129");
        assertRejected(defaults().logprobs(21), "logprobs must be in [0, 20] or empty, got 21");
        assertThatThrownBy(() -> defaults().stop(List.of("end", "")).build()).hasMessage(
                "Cannot use sampling parameters: stop strings must not be empty, got an empty string at index 1");
    }

    private static void assertRejected(SamplingParams.Builder builder, String message) {
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use sampling parameters: " + message);
    }
}
