package dev.canopy.executor.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The converter's rules beyond renaming: Llama 3 RoPE scaling as llama.cpp's converter computes it, RoPE
 * scalings the engine cannot run refused, and per-expert tensors that do not make a whole stack refused by name.
 */
class HfConverterRulesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path CONFIG = Path.of("config.json");

    @TempDir
    Path tmp;

    /** Reference: {@code src/test/resources/hf-rope/make_reference.py} (llama.cpp's converter loop in float32). */
    @Test
    void llama3RopeScalingGivesLlamaCppsRopeFactors() throws IOException {
        JsonNode reference;
        try (InputStream in = getClass().getResourceAsStream("/hf-rope/llama3-rope-factors.json")) {
            reference = JSON.readTree(in);
        }
        for (var model : reference.properties()) {
            ObjectNode config = ((ObjectNode) model.getValue().get("config").deepCopy()).put("model_type", "llama")
                    .put("hidden_size", 2048).put("num_hidden_layers", 1).put("num_attention_heads", 32)
                    .put("intermediate_size", 8192).put("max_position_embeddings", 131072);
            float[] factors = HfModelConfig.of(CONFIG, config).ropeFactors().orElseThrow();
            JsonNode expected = model.getValue().get("rope_factors");
            assertThat(factors).as(model.getKey()).hasSize(expected.size());
            for (int i = 0; i < factors.length; i++) {
                assertThat((double) factors[i]).as("%s factor %d", model.getKey(), i)
                        .isCloseTo(expected.get(i).asDouble(), Percentage.withPercentage(1e-4));
            }
        }
    }

    @Test
    void ropeScalingTheEngineDoesNotRunIsRefusedByName() throws IOException {
        ObjectNode config = (ObjectNode) JSON.readTree("{\"model_type\":\"qwen3\",\"hidden_size\":8,\"num_hidden_layers\":1,"
                + "\"num_attention_heads\":2,\"intermediate_size\":16,\"max_position_embeddings\":32,"
                + "\"rope_scaling\":{\"rope_type\":\"yarn\",\"factor\":4.0}}");

        assertThatThrownBy(() -> HfModelConfig.of(CONFIG, config)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("field rope_scaling.rope_type is 'yarn': Canopy does not implement this RoPE scaling"
                        + " yet")
                .hasMessageContaining("supported: default, llama3");
        config.remove("rope_scaling");
        assertThat(HfModelConfig.of(CONFIG, config).ropeFactors()).isEmpty();
    }

    @Test
    void aPartialRotaryFactorRotatesThatShareOfEachHead() throws IOException {
        JsonNode config = JSON.readTree("{\"model_type\":\"phi3\",\"hidden_size\":3072,\"num_hidden_layers\":1,"
                + "\"num_attention_heads\":24,\"intermediate_size\":16,\"max_position_embeddings\":32,"
                + "\"partial_rotary_factor\":0.75}");

        assertThat(HfModelConfig.of(CONFIG, config).ggufKeys().get("phi3.rope.dimension_count")[1]).isEqualTo(96);
    }

    @Test
    void expertsThatDoNotMakeAWholeStackAreRefusedNamingTheTensor() {
        Tensor expert = new Tensor("e", GgmlType.F32, new long[] {2, 2}, MemorySegment.ofArray(new byte[16]));
        Path shard = tmp.resolve("model.safetensors");
        HfExpertStack stack = new HfExpertStack(4);
        for (int e : new int[] {0, 1, 3}) {
            assertThat(stack.offer("model.layers.0.block_sparse_moe.experts." + e + ".w1.weight", expert, shard)).isTrue();
        }
        assertThat(stack.offer("model.layers.0.mlp.gate_proj.weight", expert, shard)).as("not an expert").isFalse();

        assertThatThrownBy(() -> stack.addTo(new ConvertedTensors()))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("expert 2 of blk.0.ffn_gate_exps.weight is missing: the checkpoint has experts"
                        + " [0, 1, 3] of the 4 config.json declares");
        assertThatThrownBy(() -> stack.offer("model.layers.1.mlp.experts.4.down_proj.weight", expert, shard))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("tensor model.layers.1.mlp.experts.4.down_proj.weight: expert 4 is outside the 4"
                        + " experts");
    }
}
