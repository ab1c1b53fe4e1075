package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model file whose tensors disagree with its metadata fails to load with a message naming the tensor,
 * its shape and the shape the metadata implies. Each file is stories260K (dim 64, ffn 172, 512 tokens)
 * with one thing changed.
 */
class ModelShapeTest {

    @TempDir
    Path dir;

    @Test
    void aMatrixOfTheWrongShape() {
        Path file = variant(Map.of(), Map.of("blk.0.attn_q.weight", new long[] {64, 32}));
        assertLoadFails(file, "tensor blk.0.attn_q.weight has shape [64, 32], but the metadata implies [64, 64]");
    }

    @Test
    void aNormOfTheWrongLength() {
        Path file = variant(Map.of(), Map.of("blk.3.ffn_norm.weight", new long[] {32}));
        assertLoadFails(file, "tensor blk.3.ffn_norm.weight has shape [32], but the metadata implies [64]");
    }

    @Test
    void aNormThatIsAMatrix() {
        Path file = variant(Map.of(), Map.of("output_norm.weight", new long[] {64, 2}));
        assertLoadFails(file, "tensor output_norm.weight has shape [64, 2], but the metadata implies [64]");
    }

    @Test
    void anEmbeddingWidthTheTensorsDoNotHave() {
        Path file = variant(Map.of("llama.embedding_length", 128), Map.of());
        assertLoadFails(file, "tensor token_embd.weight has shape [64, 512], but the metadata implies [128, 512]");
    }

    @Test
    void aFeedForwardWidthTheTensorsDoNotHave() {
        Path file = variant(Map.of("llama.feed_forward_length", 100), Map.of());
        assertLoadFails(file, "tensor blk.0.ffn_gate.weight has shape [64, 172], but the metadata implies [64, 100]");
    }

    @Test
    void moreLayersThanTheFileHas() {
        Path file = variant(Map.of("llama.block_count", 6), Map.of());
        assertLoadFails(file, "missing tensor blk.5.attn_norm.weight");
    }

    @Test
    void anOutputMatrixThatDisagreesWithTheEmbedding() {
        Path file = variant(Map.of(), Map.of("token_embd.weight", new long[] {64, 256}));
        assertLoadFails(file, "tensor output.weight has shape [64, 512], but the metadata implies [64, 256]");
    }

    @Test
    void fewerEmbeddingRowsThanTokens() {
        Path file = variant(Map.of(), Map.of("token_embd.weight", new long[] {64, 256},
                "output.weight", new long[] {64, 256}));
        assertLoadFails(file, "the tokenizer has 512 tokens but token_embd.weight has only 256 rows");
    }

    @Test
    void headsThatDoNotDivideTheWidth() {
        Path file = variant(Map.of("llama.attention.head_count", 7), Map.of());
        assertLoadFails(file, "key llama.embedding_length (64) is not a multiple of llama.attention.head_count (7)");
    }

    /**
     * stories260K-f32 with the UINT32 metadata values in {@code overrides}, and each tensor in
     * {@code reshaped} given its new shape and zero data.
     */
    private Path variant(Map<String, Integer> overrides, Map<String, long[]> reshaped) {
        Path file = dir.resolve("variant.gguf");
        try (GgufFile base = GgufFile.open(TestModels.stories260kF32())) {
            GgufWriter w = new GgufWriter(file);
            GgufMetadata meta = base.metadata();
            meta.entries().forEach((key, entry) -> {
                if (overrides.containsKey(key)) {
                    w.put(key, GgufValueType.UINT32, overrides.get(key));
                } else {
                    w.put(key, entry.type(), entry.value());
                }
            });
            for (String name : base.tensorInfos().keySet()) {
                Tensor t = base.tensor(name);
                long[] shape = reshaped.get(name);
                if (shape != null) {
                    long elements = 1;
                    for (long d : shape) {
                        elements *= d;
                    }
                    w.addTensor(name, GgmlType.F32, shape, new byte[Math.toIntExact(elements * Float.BYTES)]);
                } else {
                    w.addTensor(t);
                }
            }
            w.write();
        }
        return file;
    }

    private static void assertLoadFails(Path file, String problem) {
        assertThatThrownBy(() -> Model.load(file).close()).isInstanceOf(ModelFormatException.class)
                .hasMessage("Cannot load model " + file + ": " + problem);
    }
}
