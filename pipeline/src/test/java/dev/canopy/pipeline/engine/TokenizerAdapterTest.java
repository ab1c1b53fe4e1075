package dev.canopy.pipeline.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import dev.canopy.executor.TestModels;
import dev.canopy.pipeline.generate.ModelAdapter;

/** Planning opens only the prompt side of the model; it must prepare prompts exactly as the engine does. */
class TokenizerAdapterTest {

    private final EngineAdapterFactory factory = new EngineAdapterFactory(TestModels.stories260kF32().toString(),
            EngineSettings.defaults().withKvBudgetBytes(8L << 20));

    @Test
    void planningTokenizesAsTheEngineDoes() {
        ModelAdapter planning = factory.openForPlanning();
        ModelAdapter engine = factory.open();
        String prompt = "Once upon a time, there was a little girl named Lily. \u0000 Ünïcödé";

        assertThat(planning.tokenizer().encode(prompt)).containsExactly(engine.tokenizer().encode(prompt));
        assertThat(planning.contextLength()).isEqualTo(engine.contextLength());
        assertThat(planning.maxCharsPerToken()).isEqualTo(engine.maxCharsPerToken());
        assertThat(planning.modelName()).isEqualTo(engine.modelName()).isEqualTo("stories260K-f32.gguf");
    }

    @Test
    void theTokenizerIsOpenedOncePerJvmAndRefusesToGenerate() {
        ModelAdapter planning = factory.openForPlanning();

        assertThat(factory.openForPlanning()).isSameAs(planning);
        assertThatThrownBy(planning::generator).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("Cannot generate with the tokenizer of stories260K-f32.gguf")
                .hasMessageContaining("ModelAdapterFactory.open");
    }
}
