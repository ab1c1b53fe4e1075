package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.engine.GenerationRequest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The W1-shaped workload the GPU engine benchmark runs: groups share exactly their prefix. */
class SharedPrefixWorkloadTest {

    @Test
    void requestsOfAGroupShareThePrefixAndNothingElse() {
        SharedPrefixWorkload w = new SharedPrefixWorkload(3, 4, 20, 5, 7);
        List<GenerationRequest> requests = w.requests(500, 1);
        assertThat(requests).hasSize(12);
        assertThat(requests.get(5).id()).isEqualTo("g1-p1");
        int[] first = requests.get(0).promptTokens();
        int[] sameGroup = requests.get(3).promptTokens();
        int[] otherGroup = requests.get(4).promptTokens();
        assertThat(first).hasSize(25);
        assertThat(Arrays.stream(first).allMatch(t -> t >= 3 && t < 500)).as("token ids in [3, vocab)").isTrue();
        assertThat(Arrays.copyOf(sameGroup, 20)).containsExactly(Arrays.copyOf(first, 20));
        assertThat(Arrays.copyOfRange(sameGroup, 20, 25)).isNotEqualTo(Arrays.copyOfRange(first, 20, 25));
        assertThat(Arrays.copyOf(otherGroup, 20)).isNotEqualTo(Arrays.copyOf(first, 20));
        assertThat(requests.get(0).params().maxTokens()).isEqualTo(7);
        assertThat(requests.get(0).params().ignoreEos()).isTrue();
        assertThat(w.sequenceLength()).isEqualTo(32);
    }

    @Test
    void theW1ShapeIs256RequestsOf672Tokens() {
        SharedPrefixWorkload w1 = SharedPrefixWorkload.w1();
        assertThat(w1.requests()).isEqualTo(256);
        assertThat(w1.sequenceLength()).isEqualTo(512 + 32 + 128);
        assertThat(w1).hasToString("8 groups x 32 prompts, prefix 512, suffix 32, output 128");
    }

    @Test
    void refusesEmptyShapes() {
        assertThatThrownBy(() -> new SharedPrefixWorkload(0, 4, 20, 5, 7))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot build a shared-prefix workload: groups, prompts, suffix and output must be positive "
                        + "and prefix not negative, got 0 groups x 4 prompts, prefix 20, suffix 5, output 7");
    }
}
