package dev.canopy.executor.model;

import static dev.canopy.executor.gguf.GgufVariant.uint32;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.GgufVariant;
import dev.canopy.executor.gguf.ModelFormatException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sizes that a model file's metadata implies are bounded and computed without wrapping: each file
 * is stories260K (dim 64, 8 heads, 4 KV heads, head width 8) with hostile keys set, and each fails
 * to load naming the key, before any buffer is sized from it.
 */
class ModelSizeCheckTest {

    @TempDir
    Path dir;

    @Test
    void aKeyLengthThatWrapsHeadsTimesKeyLengthBackToTheEmbeddingWidth() {
        // 8 × (2^30 + 8) = 2^33 + 64, which is 64 in 32-bit arithmetic: the tensor shapes would match
        Path file = variant(Map.of("llama.attention.key_length", uint32((1L << 30) + 8)));
        assertLoadFails(file, "key llama.attention.key_length: expected at most 1024, found 1073741832");
        try (Model model = Model.load(TestModels.stories260kF32())) {
            assertThat(model.config().headDim()).isEqualTo(8);
        }
    }

    @Test
    void queryHeadsFarWiderThanTheEmbedding() {
        Path file = variant(Map.of("llama.attention.key_length", uint32(1024)));
        assertLoadFails(file, "keys llama.attention.head_count × llama.attention.key_length (query width): expected at "
                + "most 256, found 8192");
    }

    @Test
    void aKvCacheLargerPerTokenThanAnyArchitectureNeeds() {
        Path file = variant(Map.of("llama.embedding_length", uint32(1 << 16), "llama.block_count", uint32(4096),
                "llama.attention.key_length", uint32(1024), "llama.attention.head_count_kv", uint32(8)));
        assertLoadFails(file, "KV bytes per token (2 × llama.block_count × key/value width × 4): expected at most "
                + (64L << 20) + ", found " + (2L * 4 * 4096 * 8 * 1024));
    }

    @Test
    void aContextLongerThanAnyModelWasTrainedFor() {
        Path file = variant(Map.of("llama.context_length", uint32(Integer.MAX_VALUE)));
        assertLoadFails(file, "key llama.context_length: expected at most 16777216, found 2147483647");
    }

    @Test
    void aHeadWidthDerivedFromTheEmbeddingIsNamedByTheKeysItCameFrom() {
        Path file = variant(Map.of("llama.embedding_length", uint32(1 << 16), "llama.attention.head_count", uint32(2),
                "llama.attention.head_count_kv", uint32(2)));
        assertLoadFails(file, "key llama.embedding_length / llama.attention.head_count: expected at most 1024, found "
                + (1 << 15));
    }

    private Path variant(Map<String, GgufMetadata.Entry> entries) {
        return GgufVariant.write(TestModels.stories260kF32(), dir.resolve("variant.gguf"), entries);
    }

    private static void assertLoadFails(Path file, String problem) {
        assertThatThrownBy(() -> Model.load(file).close()).isInstanceOf(ModelFormatException.class)
                .hasMessageStartingWith("Cannot load model " + file + ": " + problem);
    }
}
