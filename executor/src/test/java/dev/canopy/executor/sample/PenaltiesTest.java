package dev.canopy.executor.sample;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PenaltiesTest {

    private final Penalties penalties = new Penalties();

    @Test
    void repetitionCoversPromptAndOutputWhilePresenceAndFrequencyCoverOutputOnly() {
        float[] logits = {2f, -2f, 1f, 1f, 1f};
        History history = new History(new int[]{0, 1, 0}, new int[]{2, 3, 2});
        SamplingParams params = SamplingParams.builder().repetitionPenalty(2).frequencyPenalty(0.5)
                .presencePenalty(0.25).build();

        penalties.apply(logits, 5, params, history);

        // 0, 1: prompt only, repetition once each; 2: twice generated; 3: once; 4: untouched
        assertThat(logits).containsExactly(1f, -4f, 0.5f - 1f - 0.25f, 0.5f - 0.5f - 0.25f, 1f);
    }

    @Test
    void countsAreResetBetweenCalls() {
        SamplingParams params = SamplingParams.builder().frequencyPenalty(1).build();
        History history = new History(new int[0], new int[]{1, 1});
        float[] first = new float[3];
        float[] second = new float[3];
        penalties.apply(first, 3, params, history);
        penalties.apply(second, 3, params, history);
        assertThat(second).containsExactly(first).containsExactly(0f, -2f, 0f);
    }
}
