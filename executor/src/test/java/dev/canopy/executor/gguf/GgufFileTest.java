package dev.canopy.executor.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GgufFileTest {

    @Test
    void readsTheStories260kHeader() {
        try (GgufFile f = GgufFile.open(TestModels.stories260kF32())) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.tensorInfos()).hasSize(48);
            GgufMetadata m = f.metadata();
            assertThat(m.getString("general.architecture")).isEqualTo("llama");
            assertThat(m.getLong("llama.embedding_length")).isEqualTo(64);
            assertThat(m.getLong("llama.context_length")).isEqualTo(512);
            assertThat(m.getStringArray("tokenizer.ggml.tokens")).hasSize(512);
            Tensor down = f.tensor("blk.0.ffn_down.weight");
            assertThat(down.shape()).containsExactly(172, 64);
            assertThat(down.type()).isEqualTo(GgmlType.F32);
            assertThat(down.data().byteSize()).isEqualTo(172 * 64 * 4);
        }
    }

    @Test
    void readsTheMixedQ8File() {
        try (GgufFile f = GgufFile.open(TestModels.stories260kQ8())) {
            assertThat(f.tensor("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q8_0);
            assertThat(f.tensor("blk.0.ffn_down.weight").type()).isEqualTo(GgmlType.F16);
            assertThat(f.tensor("output_norm.weight").type()).isEqualTo(GgmlType.F32);
        }
    }
}
