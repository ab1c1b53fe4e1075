package dev.canopy.executor.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufArray;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.GgufVariant;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.model.Model;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A vocabulary whose tokens decode to megabytes each fails to load, naming the first such token and its
 * length; one whose longest token is at the cap loads. Each file is stories260K with some tokens replaced.
 */
class TokenTextCheckTest {

    @TempDir
    Path dir;

    @Test
    void punctuationTokensOf16MiBEachAreRefusedAtLoad() {
        String[] tokens = storiesTokens();
        for (int id = 400; id < 404; id++) {
            tokens[id] = String.valueOf((char) ('!' + id - 400)).repeat(16 << 20);
        }
        Path file = withTokens(tokens);
        assertThatThrownBy(() -> Model.load(file).close()).isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("Cannot load model " + file + ": key tokenizer.ggml.tokens[400]: token 400 is "
                        + (16 << 20) + " characters long, expected at most 8192");
        try (Model model = Model.load(TestModels.stories260kF32())) {
            assertThat(model.tokenizer().decode(model.tokenizer().encode("Once upon a time", false, false))).isEqualTo(
                    "Once upon a time");
        }
    }

    @Test
    void aTokenAtTheCapLoadsAndDecodesWhole() {
        String[] tokens = storiesTokens();
        tokens[400] = "x".repeat(TokenTextCheck.MAX_TOKEN_CHARS);
        try (Model model = Model.load(withTokens(tokens))) {
            assertThat(model.tokenizer().decode(new int[] {400})).hasSize(TokenTextCheck.MAX_TOKEN_CHARS);
        }
    }

    private static String[] storiesTokens() {
        try (GgufFile file = GgufFile.open(TestModels.stories260kF32())) {
            return file.metadata().getStringArray(TokenizerLoader.TOKENS);
        }
    }

    private Path withTokens(String[] tokens) {
        return GgufVariant.write(TestModels.stories260kF32(), dir.resolve("vocab.gguf"), Map.of(TokenizerLoader.TOKENS,
                new GgufMetadata.Entry(GgufValueType.ARRAY, new GgufArray(GgufValueType.STRING, tokens))));
    }
}
