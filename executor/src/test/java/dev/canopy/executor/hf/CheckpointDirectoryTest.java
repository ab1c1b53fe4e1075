package dev.canopy.executor.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.engine.Completion;
import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.tokenizer.HfTokenizerLoader;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.ModelQuantizer;
import dev.canopy.executor.model.QuantScheme;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * stories260K written as a Hugging Face checkpoint (safetensors, HF names and Q/K order, a
 * Llama-2-style tokenizer.json) generates exactly the tokens of the original GGUF, greedy and
 * sampled with a seed, both converted to GGUF and opened as a directory.
 */
class CheckpointDirectoryTest {

    private static final List<String> PROMPTS = List.of("Once upon a time", "Lily wanted to", "The little dog saw a big");

    @TempDir
    Path tmp;

    @Test
    void aCheckpointAndTheGgufWrittenFromItGenerateTheOriginalsTokens() throws IOException {
        Path dir = tmp.resolve("stories260K-hf");
        CheckpointFromGguf.write(TestModels.stories260kF32(), dir);
        Path converted = tmp.resolve("converted.gguf");
        HfToGguf.convert(dir, converted, Optional.empty());
        List<List<int[]>> original = generate(TestModels.stories260kF32());
        assertSameTokens(generate(converted), original);
        assertSameTokens(generate(HfCheckpointCache.gguf(dir, tmp.resolve("cache"))), original);
        assertSameTokens(generate(dir), original); // --model DIR: Model.load converts once into the default cache
    }

    @Test
    void quantizingAtConversionGivesTheTokensOfTheQuantizedOriginal() throws IOException {
        Path dir = tmp.resolve("stories260K-hf");
        CheckpointFromGguf.write(TestModels.stories260kF32(), dir);
        Path converted = tmp.resolve("converted-q8.gguf");
        HfToGguf.convert(dir, converted, Optional.of(QuantScheme.Q8_0));
        Path quantizedOriginal = tmp.resolve("original-q8.gguf");
        ModelQuantizer.quantize(TestModels.stories260kF32(), quantizedOriginal, QuantScheme.Q8_0);
        assertSameTokens(generate(converted), generate(quantizedOriginal));
    }

    @Test
    void quantizingAtLoadMapsTheQuantizedCheckpointCachedApartFromTheUnquantizedOne() throws IOException {
        Path dir = tmp.resolve("stories260K-hf");
        CheckpointFromGguf.write(TestModels.stories260kF32(), dir);
        CheckpointLoadOptions options = CheckpointLoadOptions.defaults().withCacheDir(tmp.resolve("cache"));

        Path q8 = options.withQuantize(QuantScheme.Q8_0).gguf(dir);
        Path asStored = options.gguf(dir);

        assertThat(q8).isNotEqualTo(asStored);
        assertThat(options.withQuantize(QuantScheme.Q8_0).gguf(dir)).as("converted once").isEqualTo(q8);
        try (Model model = Model.load(q8)) {
            assertThat(model.weights().layers().getFirst().wq().type()).isEqualTo(dev.canopy.executor.tensor.GgmlType.Q8_0);
        }
        Path quantizedOriginal = tmp.resolve("original-q8.gguf");
        ModelQuantizer.quantize(TestModels.stories260kF32(), quantizedOriginal, QuantScheme.Q8_0);
        assertSameTokens(generate(q8), generate(quantizedOriginal));
    }

    @Test
    void quantizingAGgufAtLoadIsRefusedNamingTheCommandThatDoesIt() {
        Path gguf = TestModels.stories260kF32();

        assertThatThrownBy(() -> CheckpointLoadOptions.defaults().withQuantize(QuantScheme.Q4_K).gguf(gguf))
                .isInstanceOf(dev.canopy.executor.gguf.ModelFormatException.class)
                .hasMessageContaining("cannot quantize it to Q4_K at load")
                .hasMessageContaining("canopy quantize --input " + gguf);
    }

    @Test
    void theCheckpointsTokenizerJsonEncodesPromptsAsTheGgufDoes() throws IOException {
        Path dir = tmp.resolve("stories260K-hf");
        CheckpointFromGguf.write(TestModels.stories260kF32(), dir);
        Tokenizer hf = HfTokenizerLoader.load(dir.resolve("tokenizer.json"), Optional.of(dir.resolve("tokenizer_config.json")));
        try (Model model = Model.load(TestModels.stories260kF32())) {
            for (String prompt : List.of("Once upon a time, Lily saw a cat.", "Tom's ball is red!\n  Yes", "a b  c ü 😀")) {
                assertThat(hf.encode(prompt, true, false)).as(prompt).containsExactly(model.tokenizer().encode(prompt, true, false));
            }
        }
    }

    private static void assertSameTokens(List<List<int[]>> actual, List<List<int[]>> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int r = 0; r < expected.size(); r++) {
            for (int c = 0; c < expected.get(r).size(); c++) {
                assertThat(actual.get(r).get(c)).as("request %d completion %d", r, c).containsExactly(expected.get(r).get(c));
            }
        }
    }

    /** Greedy and seeded-sampling completions (token ids) of each prompt. */
    private static List<List<int[]>> generate(Path model) {
        try (Engine engine = Engine.open(EngineConfig.defaults(model).withThreads(2).withKvBudgetBytes(4L << 20)
                .withBlockSize(8))) {
            SamplingParams sampled = SamplingParams.builder().temperature(0.9).seed(42).n(2).maxTokens(24).build();
            List<GenerationRequest> requests = new java.util.ArrayList<>();
            for (String p : PROMPTS) {
                requests.add(new GenerationRequest("g-" + p, p, SamplingParams.greedy(24)));
                requests.add(new GenerationRequest("s-" + p, p, sampled));
            }
            return engine.generate(requests).stream()
                    .map(GenerationResult::completions)
                    .map(cs -> cs.stream().map(Completion::tokenIds).toList()).toList();
        }
    }
}
