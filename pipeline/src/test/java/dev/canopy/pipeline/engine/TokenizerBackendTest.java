package dev.canopy.pipeline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.canopy.executor.TestModels;
import dev.canopy.pipeline.generate.ModelBackend;

/** Planning opens only the prompt side of the model; it must prepare prompts exactly as the engine does. */
class TokenizerBackendTest {

    private final EngineBackendFactory factory = new EngineBackendFactory(TestModels.stories260kF32().toString(),
            EngineSettings.defaults().withKvBudgetBytes(8L << 20));

    @Test
    void planningTokenizesAsTheEngineDoes() {
        ModelBackend planning = factory.openForPlanning();
        ModelBackend engine = factory.open();
        String prompt = "Once upon a time, there was a little girl named Lily. \u0000 Ünïcödé";

        assertThat(planning.tokenizer().encode(prompt)).containsExactly(engine.tokenizer().encode(prompt));
        assertThat(planning.contextLength()).isEqualTo(engine.contextLength());
        assertThat(planning.maxCharsPerToken()).isEqualTo(engine.maxCharsPerToken());
        assertThat(planning.modelName()).isEqualTo(engine.modelName()).isEqualTo("stories260K-f32.gguf");
    }

    @Test
    void theTokenizerIsOpenedOncePerJvmAndRefusesToGenerate() {
        ModelBackend planning = factory.openForPlanning();

        assertThat(factory.openForPlanning()).isSameAs(planning);
        assertThatThrownBy(planning::generator).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Cannot generate with the tokenizer of stories260K-f32.gguf")
                .hasMessageContaining("ModelBackendFactory.open");
    }
}
