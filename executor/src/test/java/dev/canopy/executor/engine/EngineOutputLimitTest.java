package dev.canopy.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufArray;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.GgufVariant;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sched.FinishReason;
import dev.canopy.executor.tokenizer.TokenizerLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sample's text is cut at the engine's {@code maxOutputBytes}, on a character boundary, and finishes with
 * {@code OUTPUT_LIMIT}; the next request runs as usual. The model is stories260K with every ordinary token's text
 * made 8,000 characters long (under the load-time cap), so 64 generated tokens would write half a megabyte.
 */
class EngineOutputLimitTest {

    private static final SamplingParams GREEDY_64 = SamplingParams.builder().temperature(0).maxTokens(64)
            .ignoreEos(true).build();

    @TempDir
    Path dir;

    @Test
    void aRowOfHugeTokensIsCutAtTheCapAndTheNextRowRuns() {
        int[] prompt; // "Once upon a time" in stories260K's own vocabulary: the variant's texts cannot encode it
        try (Model stories = Model.load(TestModels.stories260kF32())) {
            prompt = stories.tokenizer().encode("Once upon a time", true, false);
        }
        Path model = longTokens();
        GenerationResult full;
        try (Engine engine = Engine.open(config(model))) {
            full = engine.generate(List.of(GenerationRequest.ofTokens("full", prompt, GREEDY_64))).get(0);
        }
        assertThat(Utf8Bytes.length(full.text())).isGreaterThan(200_000L);

        try (Engine engine = Engine.open(config(model).withMaxOutputBytes(100_000))) {
            List<GenerationResult> rs = engine.generate(List.of(
                    GenerationRequest.ofTokens("capped", prompt, GREEDY_64),
                    GenerationRequest.ofTokens("short", prompt, SamplingParams.greedy(2))));
            GenerationResult capped = rs.get(0);
            assertThat(capped.finishReason()).isEqualTo(FinishReason.OUTPUT_LIMIT);
            assertThat(capped.text()).isEqualTo(Utf8Bytes.prefix(full.text(), 100_000));
            assertThat(capped.completionTokens()).isLessThan(64);
            assertThat(rs.get(1).finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(rs.get(1).completionTokens()).isEqualTo(2);
        }
    }

    @Test
    void aCutNeverSplitsACharacter() {
        String text = "añ€😀b"; // 1, 2, 3, 4 and 1 bytes
        assertThat(Utf8Bytes.length(text)).isEqualTo(11);
        assertThat(Utf8Bytes.prefix(text, 2)).isEqualTo("a");
        assertThat(Utf8Bytes.prefix(text, 3)).isEqualTo("añ");
        assertThat(Utf8Bytes.prefix(text, 9)).isEqualTo("añ€");
        assertThat(Utf8Bytes.prefix(text, 10)).isEqualTo("añ€😀");
        assertThat(Utf8Bytes.prefix(text, 11)).isEqualTo(text);
    }

    private static EngineConfig config(Path model) {
        return EngineConfig.defaults(model).withThreads(2).withKvBudgetBytes(4L << 20).withBlockSize(8);
    }

    /** stories260K with each token from id 259 on (past the control and byte tokens) 8,000 characters long. */
    private Path longTokens() {
        String[] tokens;
        try (GgufFile file = GgufFile.open(TestModels.stories260kF32())) {
            tokens = file.metadata().getStringArray(TokenizerLoader.TOKENS);
        }
        for (int id = 259; id < tokens.length; id++) {
            tokens[id] = id + "x".repeat(8000 - String.valueOf(id).length());
        }
        return GgufVariant.write(TestModels.stories260kF32(), dir.resolve("long-tokens.gguf"), Map.of(
                TokenizerLoader.TOKENS, new GgufMetadata.Entry(GgufValueType.ARRAY,
                        new GgufArray(GgufValueType.STRING, tokens))));
    }
}
