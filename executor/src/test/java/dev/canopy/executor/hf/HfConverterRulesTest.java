package dev.canopy.executor.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.safetensors.SafetensorsFile;
import dev.canopy.executor.safetensors.SafetensorsImage;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The converter's rules beyond renaming: Llama 3 RoPE scaling as llama.cpp's converter computes it, RoPE
 * scalings the engine cannot run refused, per-expert tensors that do not make a whole stack refused by name, and
 * gpt-oss's stacked experts split, de-interleaved and transposed whatever their dtype, and its MXFP4 experts repacked.
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

    /**
     * transformers' {@code gate_up_proj[e, i, 2j]} is gate row {@code j}, column {@code i}, and {@code [e, i, 2j + 1]} the
     * same of up; {@code down_proj[e, k, o]} is down row {@code o}, column {@code k} (values are F16 bit patterns: moved,
     * never decoded).
     */
    @Test
    void gptOssGateUpIsDeinterleavedAndTransposedPerExpert() {
        // two experts of dim 2, ffn 2: expert e holds 100·e + 10·i + k at [e, i, k]
        short[] gateUp = new short[2 * 2 * 4];
        for (int e = 0; e < 2; e++) {
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < 4; k++) {
                    gateUp[(e * 2 + i) * 4 + k] = (short) (100 * e + 10 * i + k);
                }
            }
        }
        short[] bias = {0, 1, 2, 3, 100, 101, 102, 103};
        String hf = "model.layers.3.mlp.";
        ConvertedTensors tensors = new ConvertedTensors();
        try (SafetensorsFile shard = shard(new SafetensorsImage().add(hf + "experts.gate_up_proj", "F16",
                        new long[] {2, 2, 4}, bytes(gateUp)).add(hf + "experts.gate_up_proj_bias", "F16",
                        new long[] {2, 4}, bytes(bias)).add(hf + "experts.down_proj", "F16", new long[] {2, 2, 4},
                        bytes(gateUp)).add(hf + "router.bias", "F16", new long[] {8}, bytes(bias)))) {
            for (String name : new String[] {"gate_up_proj", "gate_up_proj_bias", "down_proj"}) {
                assertThat(HfGptOssExperts.offer(hf + "experts." + name, shard, tensors)).as(name).isTrue();
            }
            assertThat(HfGptOssExperts.offer(hf + "router.bias", shard, tensors)).isFalse();
            assertGptOssExperts(tensors);
        }
    }

    private void assertGptOssExperts(ConvertedTensors tensors) {
        try (GgufFile gguf = written(tensors)) {
            assertThat(shorts(gguf, "blk.3.ffn_gate_exps.weight")).containsExactly(0, 10, 2, 12, 100, 110, 102, 112);
            assertThat(shorts(gguf, "blk.3.ffn_up_exps.weight")).containsExactly(1, 11, 3, 13, 101, 111, 103, 113);
            assertThat(gguf.tensor("blk.3.ffn_gate_exps.weight").shape()).containsExactly(2, 2, 2);
            assertThat(shorts(gguf, "blk.3.ffn_gate_exps.bias")).containsExactly(0, 2, 100, 102);
            assertThat(shorts(gguf, "blk.3.ffn_up_exps.bias")).containsExactly(1, 3, 101, 103);
            // down_proj [E, ffn=2, dim=4] → [E, dim=4, ffn=2]
            assertThat(shorts(gguf, "blk.3.ffn_down_exps.weight"))
                    .containsExactly(0, 10, 1, 11, 2, 12, 3, 13, 100, 110, 101, 111, 102, 112, 103, 113);
            assertThat(gguf.tensor("blk.3.ffn_down_exps.weight").shape()).containsExactly(2, 4, 2);
        }
    }

    /**
     * MXFP4 experts as transformers stores them (value 2k in the low nibble of byte k, 2k+1 in the high one; gate and
     * up rows interleaved) decode, after conversion, to the OCP MX values: E2M1 code times 2^(scale − 127).
     */
    @Test
    void gptOssMxfp4ExpertsAreRepackedAsGgmlBlocks() {
        String hf = "model.layers.0.mlp.experts.";
        int[][] gateUpCodes = {codes(0), codes(3)}; // row 0 is gate, row 1 up
        int[][] downCodes = {codes(7)};
        try (SafetensorsFile shard = shard(new SafetensorsImage()
                .add(hf + "gate_up_proj_blocks", "U8", new long[] {1, 2, 1, 16}, hfBlocks(gateUpCodes))
                .add(hf + "gate_up_proj_scales", "U8", new long[] {1, 2, 1}, new byte[] {127, (byte) 128})
                .add(hf + "down_proj_blocks", "U8", new long[] {1, 1, 1, 16}, hfBlocks(downCodes))
                .add(hf + "down_proj_scales", "U8", new long[] {1, 1, 1}, new byte[] {126}))) {
            HfGptOssMxfp4 mxfp4 = new HfGptOssMxfp4();
            for (String name : new String[] {"gate_up_proj_blocks", "gate_up_proj_scales", "down_proj_blocks",
                "down_proj_scales"}) {
                assertThat(mxfp4.offer(hf + name, shard)).as(name).isTrue();
            }
            assertThat(mxfp4.offer(hf + "down_proj_bias", shard)).isFalse();
            ConvertedTensors tensors = new ConvertedTensors();
            mxfp4.addTo(tensors);
            try (GgufFile gguf = written(tensors)) {
                assertThat(gguf.tensor("blk.0.ffn_gate_exps.weight").type()).isEqualTo(GgmlType.MXFP4);
                assertThat(gguf.tensor("blk.0.ffn_gate_exps.weight").shape()).containsExactly(32, 1, 1);
                assertThat(Dequant.toFloats(gguf.tensor("blk.0.ffn_gate_exps.weight"))).containsExactly(mx(codes(0), 1f));
                assertThat(Dequant.toFloats(gguf.tensor("blk.0.ffn_up_exps.weight"))).containsExactly(mx(codes(3), 2f));
                assertThat(Dequant.toFloats(gguf.tensor("blk.0.ffn_down_exps.weight"))).containsExactly(mx(codes(7), 0.5f));
            }
        }
    }

    /** OCP MX E2M1 values by code (code 8, −0, written as 0). */
    private static final float[] E2M1 = {0, 0.5f, 1, 1.5f, 2, 3, 4, 6, 0, -0.5f, -1, -1.5f, -2, -3, -4, -6};

    /** 32 codes, value v being {@code (v + shift) mod 16}, so every code occurs twice. */
    private static int[] codes(int shift) {
        int[] c = new int[32];
        for (int v = 0; v < 32; v++) {
            c[v] = (v + shift) % 16;
        }
        return c;
    }

    private static float[] mx(int[] codes, float scale) {
        float[] out = new float[codes.length];
        for (int v = 0; v < codes.length; v++) {
            out[v] = E2M1[codes[v]] * scale;
        }
        return out;
    }

    /** Rows of 32 codes as transformers packs them: byte k holds value 2k (low nibble) and 2k + 1 (high nibble). */
    private static byte[] hfBlocks(int[][] rows) {
        byte[] out = new byte[rows.length * 16];
        for (int r = 0; r < rows.length; r++) {
            for (int k = 0; k < 16; k++) {
                out[r * 16 + k] = (byte) (rows[r][2 * k] | rows[r][2 * k + 1] << 4);
            }
        }
        return out;
    }

    @Test
    void gptOssConfigGivesItsWindowAndExpertWidthAndRefusesWhatTheEngineFixes() throws IOException {
        ObjectNode config = (ObjectNode) JSON.readTree("{\"model_type\":\"gpt_oss\",\"hidden_size\":8,"
                + "\"num_hidden_layers\":2,\"num_attention_heads\":2,\"intermediate_size\":16,"
                + "\"max_position_embeddings\":32,\"num_local_experts\":4,\"num_experts_per_tok\":2,\"sliding_window\":128,"
                + "\"layer_types\":[\"sliding_attention\",\"full_attention\"],\"swiglu_limit\":7.0}");
        var keys = HfModelConfig.of(CONFIG, config).ggufKeys();
        assertThat(keys.get("gpt-oss.attention.sliding_window")[1]).isEqualTo(128);
        assertThat(keys.get("gpt-oss.expert_feed_forward_length")[1]).isEqualTo(16);
        assertThat(keys.get("gpt-oss.expert_count")[1]).isEqualTo(4);

        config.putArray("layer_types").add("full_attention").add("sliding_attention");
        assertThatThrownBy(() -> HfModelConfig.of(CONFIG, config)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("field layer_types[0] is 'full_attention', expected 'sliding_attention'");
        config.remove("layer_types");
        config.put("swiglu_limit", 5.0);
        assertThatThrownBy(() -> HfModelConfig.of(CONFIG, config)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("field swiglu_limit is 5.0");
    }

    private SafetensorsFile shard(SafetensorsImage image) {
        Path file = tmp.resolve("model-" + System.nanoTime() + ".safetensors");
        try {
            Files.write(file, image.bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return SafetensorsFile.open(file);
    }

    /** Raw F16 bit patterns, little-endian. */
    private static byte[] bytes(short[] values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : values) {
            b.putShort(v);
        }
        return b.array();
    }

    private GgufFile written(ConvertedTensors tensors) {
        Path file = tmp.resolve("experts.gguf");
        GgufWriter writer = new GgufWriter(file);
        writer.putString("general.architecture", "gpt-oss");
        tensors.addTo(writer, Optional.empty());
        writer.write();
        return GgufFile.open(file);
    }

    private static short[] shorts(GgufFile gguf, String name) {
        return gguf.tensor(name).data().toArray(ValueLayout.JAVA_SHORT_UNALIGNED);
    }
}
