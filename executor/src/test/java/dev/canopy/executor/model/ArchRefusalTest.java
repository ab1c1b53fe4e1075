package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.ArchGoldens;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Quantizer;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model needing a piece Canopy lacks is refused by name at load time, rather than run wrongly. */
class ArchRefusalTest {

    @TempDir
    Path dir;

    @Test
    void yarnRopeScalingIsRefusedNamingTheKey() {
        Path file = rewrite("gpt-oss-tiny-f32", w -> w.put("gpt-oss.rope.scaling.type", GgufValueType.STRING, "yarn"));
        assertThatThrownBy(() -> Model.load(file)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("key gpt-oss.rope.scaling.type is 'yarn': Canopy does not implement this RoPE "
                        + "scaling yet");
    }

    @Test
    void longRopeFactorsAreRefusedNamingTheTensors() {
        Path file = rewrite("phi3-tiny-f32", w -> w.addTensor("rope_factors_long.weight", GgmlType.F32,
                new long[] {8}, Quantizer.quantize(GgmlType.F32, new float[8])));
        assertThatThrownBy(() -> Model.load(file)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("it has LongRoPE factors (rope_factors_long/short.weight)");
    }

    @Test
    void aMixtureOfExpertsWithoutItsExpertWidthIsRefusedNamingTheKey() {
        Path file = rewrite("qwen3moe-tiny-f32", w -> { }, "qwen3moe.expert_feed_forward_length");
        assertThatThrownBy(() -> Model.load(file)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("key qwen3moe.expert_feed_forward_length is missing; the qwen3moe architecture "
                        + "needs it");
    }

    /** The tiny model {@code stem} with {@code change} applied and the keys {@code drop} left out. */
    private Path rewrite(String stem, Consumer<GgufWriter> change, String... drop) {
        Path out = dir.resolve(stem + "-changed.gguf");
        try (GgufFile src = GgufFile.open(ArchGoldens.model(stem))) {
            GgufWriter w = new GgufWriter(out);
            for (Map.Entry<String, GgufMetadata.Entry> e : src.metadata().entries().entrySet()) {
                if (!java.util.List.of(drop).contains(e.getKey())) {
                    w.put(e.getKey(), e.getValue().type(), e.getValue().value());
                }
            }
            for (String name : src.tensorInfos().keySet()) {
                w.addTensor(src.tensor(name));
            }
            change.accept(w);
            w.write();
        }
        return out;
    }
}
