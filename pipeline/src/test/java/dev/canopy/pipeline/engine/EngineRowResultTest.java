package dev.canopy.pipeline.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.engine.Completion;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.sched.FinishReason;
import dev.canopy.pipeline.generate.RowResult;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Engine results become row results without losing generated text. */
class EngineRowResultTest {

    @Test
    void aStructuredRowCutByMaxTokensKeepsItsTextAndCarriesTheError() {
        String message = "Cannot complete request r1: the value is incomplete after 2 tokens (raise max_tokens)";
        GenerationResult cut = new GenerationResult("r1",
                List.of(new Completion(0, "{\"a", new int[] {5, 6}, FinishReason.LENGTH, List.of())),
                4, 0, 2, Optional.of(message), 1_000);

        RowResult row = EngineAdapter.toRowResult(cut);

        assertThat(row).isInstanceOf(RowResult.Generated.class);
        RowResult.Generated generated = (RowResult.Generated) row;
        assertThat(generated.choices().getFirst().text()).isEqualTo("{\"a");
        assertThat(generated.choices().getFirst().finishReason()).isEqualTo("length");
        assertThat(generated.failure()).hasValueSatisfying(e -> assertThat(e.columnText())
                .isEqualTo("generation_failed: " + message));
    }

    @Test
    void aRequestWithoutCompletionsFails() {
        RowResult row = EngineAdapter.toRowResult(GenerationResult.failed("r2", 3, "Cannot fit the prompt", 10));

        assertThat(row).isInstanceOf(RowResult.Failed.class);
        assertThat(row.failure()).hasValueSatisfying(e -> assertThat(e.columnText()).contains("Cannot fit the prompt"));
    }

    @Test
    void aCompleteRowHasNoFailure() {
        GenerationResult done = new GenerationResult("r3",
                List.of(new Completion(0, "{}", new int[] {7}, FinishReason.STOP, List.of())), 4, 0, 1,
                Optional.empty(), 10);

        assertThat(EngineAdapter.toRowResult(done).failure()).isEmpty();
    }
}
