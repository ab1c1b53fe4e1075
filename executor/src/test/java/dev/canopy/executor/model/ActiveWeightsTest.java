package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.ArchGoldens;
import org.junit.jupiter.api.Test;

/** A mixture of experts costs a token its chosen experts' weights; a dense model all of its weights. */
class ActiveWeightsTest {

    @Test
    void aTokenOfTheTinyQwen3MoeUsesTwoOfItsFourExperts() {
        try (Model model = Model.load(ArchGoldens.model("qwen3moe-tiny-f32"))) {
            ActiveWeights w = ActiveWeights.of(model.config(), model.file().tensorInfos().values());
            long expertParams = 4L * 3 * 64 * 64 * 4; // 4 layers × gate/up/down × [64, 64, 4]
            assertThat(w.activeParameters()).isEqualTo(w.parameters() - expertParams / 2);
            assertThat(w.activeBytes()).isEqualTo(w.bytes() - expertParams / 2 * Float.BYTES);
        }
    }

    @Test
    void aDenseModelUsesEveryWeight() {
        try (Model model = Model.load(ArchGoldens.model("qwen3-tiny-f32"))) {
            ActiveWeights w = ActiveWeights.of(model.config(), model.file().tensorInfos().values());
            assertThat(w.activeParameters()).isEqualTo(w.parameters());
            assertThat(w.activeBytes()).isEqualTo(w.bytes());
        }
    }
}
