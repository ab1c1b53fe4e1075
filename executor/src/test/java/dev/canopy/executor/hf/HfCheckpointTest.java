package dev.canopy.executor.hf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.gguf.ModelFormatException;
import dev.canopy.executor.safetensors.SafetensorsImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile or incomplete checkpoint directories fail when opened, naming the file and the field or tensor. */
class HfCheckpointTest {

    private static final String CONFIG = "{\"model_type\":\"llama\",\"hidden_size\":8,\"num_hidden_layers\":1,"
            + "\"num_attention_heads\":2,\"intermediate_size\":16,\"max_position_embeddings\":32}";

    @TempDir
    Path dir;

    private void write(String name, String text) throws IOException {
        Files.writeString(dir.resolve(name), text);
    }

    private void shard(String name, String tensor) throws IOException {
        Files.write(dir.resolve(name), new SafetensorsImage().add(tensor, "F32", new long[] {2}, new byte[8]).bytes());
    }

    @Test
    void readsShardsThroughTheIndex() throws IOException {
        write("config.json", CONFIG);
        shard("model-00001-of-00002.safetensors", "model.norm.weight");
        shard("model-00002-of-00002.safetensors", "lm_head.weight");
        write("model.safetensors.index.json", "{\"weight_map\":{\"model.norm.weight\":\"model-00001-of-00002.safetensors\","
                + "\"lm_head.weight\":\"model-00002-of-00002.safetensors\"}}");
        try (HfCheckpoint checkpoint = HfCheckpoint.open(dir)) {
            assertThat(checkpoint.tensorFiles().keySet()).containsExactly("model.norm.weight", "lm_head.weight");
            assertThat(checkpoint.config().ggufArch()).isEqualTo("llama");
            assertThat(checkpoint.config().kvHeads()).isEqualTo(2);
        }
    }

    @Test
    void refusesAnIndexPointingOutsideTheDirectory() throws IOException {
        write("config.json", CONFIG);
        write("model.safetensors.index.json", "{\"weight_map\":{\"a\":\"../elsewhere.safetensors\"}}");
        assertThatThrownBy(() -> HfCheckpoint.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessage("Cannot load model " + dir.resolve("model.safetensors.index.json") + ": field weight_map: expected"
                        + " shard file names in this directory, found '../elsewhere.safetensors'");
    }

    @Test
    void refusesATensorInTwoShards() throws IOException {
        write("config.json", CONFIG);
        shard("a.safetensors", "model.norm.weight");
        shard("b.safetensors", "model.norm.weight");
        write("model.safetensors.index.json", "{\"weight_map\":{\"x\":\"a.safetensors\",\"y\":\"b.safetensors\"}}");
        assertThatThrownBy(() -> HfCheckpoint.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessage("Cannot load model " + dir.resolve("b.safetensors") + ": tensor model.norm.weight is also in"
                        + " a.safetensors");
    }

    @Test
    void refusesAConfigWithoutAFieldOrOfAnUnknownModelType() throws IOException {
        write("config.json", CONFIG.replace("\"hidden_size\":8,", ""));
        assertThatThrownBy(() -> HfCheckpoint.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessage("Cannot load model " + dir.resolve("config.json") + ": field hidden_size: expected a positive"
                        + " integer, found null");
        write("config.json", CONFIG.replace("llama", "bert"));
        assertThatThrownBy(() -> HfCheckpoint.open(dir)).hasMessageContaining("field model_type: expected one of [gemma2,"
                + " gemma3, gemma3_text, gpt_oss, llama, mistral, mixtral, phi3, qwen2, qwen3, qwen3_moe], found 'bert'");
    }

    @Test
    void refusesADirectoryWithoutWeights() throws IOException {
        write("config.json", CONFIG);
        assertThatThrownBy(() -> HfCheckpoint.open(dir)).isInstanceOf(ModelFormatException.class)
                .hasMessage("Cannot load model " + dir.resolve("model.safetensors") + ": file does not exist; a Hugging Face"
                        + " checkpoint directory needs model.safetensors");
    }

    @Test
    void mapsHfTensorNamesToGgufNames() {
        assertThat(HfTensorNames.ggufName("model.layers.12.self_attn.q_proj.weight", false)).hasValue("blk.12.attn_q.weight");
        assertThat(HfTensorNames.ggufName("model.layers.3.post_attention_layernorm.weight", false))
                .hasValue("blk.3.ffn_norm.weight");
        assertThat(HfTensorNames.ggufName("model.layers.3.post_attention_layernorm.weight", true))
                .hasValue("blk.3.post_attention_norm.weight");
        assertThat(HfTensorNames.ggufName("model.layers.0.self_attn.k_norm.weight", false)).hasValue("blk.0.attn_k_norm.weight");
        assertThat(HfTensorNames.ggufName("vision_tower.x", false)).isEmpty();
    }
}
