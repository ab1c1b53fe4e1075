package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufMetadata;
import dev.canopy.executor.gguf.GgufTensorInfo;
import dev.canopy.executor.gguf.GgufValueType;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.GgmlType;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyntheticModelTest {

    private static final SyntheticModel.Shape SMALL = new SyntheticModel.Shape(64, 2, 4, 2, 96, 300, 512);

    @TempDir
    Path dir;

    @Test
    void writesLlamaMetadataLikeAConvertedModel() {
        Path file = dir.resolve("small.gguf");
        SyntheticModel.write(file, SMALL, GgmlType.Q8_0, 1);

        try (GgufFile f = GgufFile.open(file)) {
            GgufMetadata m = f.metadata();
            assertThat(m.getString("general.architecture")).isEqualTo("llama");
            assertThat(m.getString("general.name")).isEqualTo("synthetic-llama-64d-2l-Q8_0");
            assertThat(m.getLong("general.file_type")).isEqualTo(7);
            assertThat(m.getLong("llama.context_length")).isEqualTo(512);
            assertThat(m.getLong("llama.embedding_length")).isEqualTo(64);
            assertThat(m.getLong("llama.feed_forward_length")).isEqualTo(96);
            assertThat(m.getLong("llama.block_count")).isEqualTo(2);
            assertThat(m.getLong("llama.attention.head_count")).isEqualTo(4);
            assertThat(m.getLong("llama.attention.head_count_kv")).isEqualTo(2);
            assertThat(m.getLong("llama.rope.dimension_count")).isEqualTo(16);
            assertThat(m.getDouble("llama.rope.freq_base")).isEqualTo(10000.0);
            assertThat(m.getDouble("llama.attention.layer_norm_rms_epsilon")).isEqualTo(1e-5f);
            assertThat(m.entry("llama.embedding_length").orElseThrow().type()).isEqualTo(GgufValueType.UINT32);
            assertThat(m.entry("llama.rope.freq_base").orElseThrow().type()).isEqualTo(GgufValueType.FLOAT32);
            assertThat(m.getString("tokenizer.ggml.model")).isEqualTo("llama");
            assertThat(m.getStringArray("tokenizer.ggml.tokens")).hasSize(300).startsWith("<unk>", "<s>", "</s>", "<0x00>");
            assertThat(m.getFloatArray("tokenizer.ggml.scores")).hasSize(300);
            assertThat(m.getIntArray("tokenizer.ggml.token_type")).hasSize(300).startsWith(2, 3, 3, 6);
            assertThat(m.getLong("tokenizer.ggml.bos_token_id")).isEqualTo(1);
            assertThat(m.getLong("tokenizer.ggml.eos_token_id")).isEqualTo(2);
            assertThat(m.getLong("tokenizer.ggml.unknown_token_id")).isEqualTo(0);
            assertThat(m.getBoolOpt("tokenizer.ggml.add_bos_token")).contains(true);
        }
    }

    @Test
    void namesAndShapesTensorsAsLlamaCppDoes() {
        Path file = dir.resolve("small.gguf");
        SyntheticModel.write(file, SMALL, GgmlType.Q4_0, 1);

        List<String> expected = new ArrayList<>(List.of("token_embd.weight [64, 300] Q4_0"));
        for (int layer = 0; layer < 2; layer++) {
            String b = "blk." + layer + ".";
            expected.addAll(List.of(b + "attn_norm.weight [64] F32", b + "attn_q.weight [64, 64] Q4_0",
                    b + "attn_k.weight [64, 32] Q4_0", b + "attn_v.weight [64, 32] Q4_0",
                    b + "attn_output.weight [64, 64] Q4_0", b + "ffn_norm.weight [64] F32",
                    b + "ffn_gate.weight [64, 96] Q4_0", b + "ffn_up.weight [64, 96] Q4_0",
                    b + "ffn_down.weight [96, 64] Q4_0"));
        }
        expected.addAll(List.of("output_norm.weight [64] F32", "output.weight [64, 300] Q4_0"));
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.tensorInfos().values())
                    .extracting(t -> t.name() + " " + Arrays.toString(t.shape()) + " " + t.type())
                    .containsExactlyElementsOf(expected);
            long parameters = f.tensorInfos().values().stream().mapToLong(GgufTensorInfo::elementCount).sum();
            assertThat(parameters).isEqualTo(SMALL.parameterCount());
        }
    }

    @ParameterizedTest
    @CsvSource({"F32, 0", "F16, 1", "BF16, 32", "Q8_0, 7", "Q4_0, 2"})
    void writesEveryWeightTypeWithItsFileType(GgmlType type, int fileType) {
        Path file = dir.resolve(type + ".gguf");
        SyntheticModel.write(file, SMALL, type, 3);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.metadata().getLong("general.file_type")).isEqualTo(fileType);
            assertThat(f.tensor("blk.1.ffn_down.weight").type()).isEqualTo(type);
            assertThat(f.tensor("blk.1.ffn_norm.weight").type()).isEqualTo(GgmlType.F32);
        }
    }

    @ParameterizedTest
    @CsvSource({"Q4_K, 14, 0.2", "Q6_K, 18, 0.05"})
    void writesKQuantsOfTheSameValuesAsTheFloatModel(GgmlType type, int fileType, double tolerance) {
        SyntheticModel.Shape wide = new SyntheticModel.Shape(256, 1, 4, 2, 512, 300); // rows of whole super-blocks
        Path quantized = dir.resolve(type + ".gguf");
        Path floats = dir.resolve("f32.gguf");
        SyntheticModel.write(quantized, wide, type, 3);
        SyntheticModel.write(floats, wide, GgmlType.F32, 3);
        try (GgufFile q = GgufFile.open(quantized); GgufFile f = GgufFile.open(floats)) {
            assertThat(q.metadata().getLong("general.file_type")).isEqualTo(fileType);
            assertThat(q.tensor("blk.0.ffn_down.weight").type()).isEqualTo(type);
            float[] got = Dequant.toFloats(q.tensor("blk.0.ffn_down.weight"));
            float[] exact = Dequant.toFloats(f.tensor("blk.0.ffn_down.weight"));
            double std = 1 / Math.sqrt(512);
            for (int i = 0; i < exact.length; i++) {
                assertThat((double) got[i]).as("element %d", i).isCloseTo(exact[i], within(tolerance * std));
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameBytesAndAnotherSeedOtherWeights() throws IOException {
        Path a = dir.resolve("a.gguf");
        Path b = dir.resolve("b.gguf");
        Path c = dir.resolve("c.gguf");
        SyntheticModel.write(a, SMALL, GgmlType.Q8_0, 42);
        SyntheticModel.write(b, SMALL, GgmlType.Q8_0, 42);
        SyntheticModel.write(c, SMALL, GgmlType.Q8_0, 43);

        assertThat(Files.mismatch(a, b)).isEqualTo(-1);
        try (GgufFile fa = GgufFile.open(a); GgufFile fc = GgufFile.open(c)) {
            assertThat(Files.mismatch(a, c)).as("the header is the same").isGreaterThanOrEqualTo(fa.dataOffset());
            for (String name : fa.tensorInfos().keySet()) {
                assertThat(fa.tensor(name).data().mismatch(fc.tensor(name).data())).as(name).isNotEqualTo(-1);
            }
        }
    }

    @Test
    void theBytesOfASeedNeverChange() throws Exception {
        Path file = dir.resolve("pinned.gguf");
        SyntheticModel.write(file, SMALL, GgmlType.Q8_0, 2024);
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        assertThat(HexFormat.of().formatHex(digest))
                .as("benchmarks and other tools may rely on these bytes: change this hash only on purpose")
                .isEqualTo("e9f614ef7b99dae3f54b2299d278ff8d347e2bf453b0743adea857266937addc");
    }

    @Test
    void scalesWeightsByTheirFanIn() {
        Path file = dir.resolve("f32.gguf");
        SyntheticModel.write(file, new SyntheticModel.Shape(128, 1, 4, 4, 512, 400), GgmlType.F32, 5);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(stats(f, "token_embd.weight")).containsExactly(new double[] {0, 1}, within(0.02));
            assertThat(stats(f, "blk.0.attn_q.weight")).containsExactly(new double[] {0, 1 / Math.sqrt(128)}, within(0.003));
            assertThat(stats(f, "blk.0.ffn_down.weight")).containsExactly(new double[] {0, 1 / Math.sqrt(512)}, within(0.002));
            assertThat(stats(f, "blk.0.attn_norm.weight")).containsExactly(new double[] {1, 0.02}, within(0.006));
        }
    }

    @Test
    void refusesTypesItCannotWriteAndWidthsThatAreNotWholeBlocks() {
        Path file = dir.resolve("x.gguf");
        assertThatThrownBy(() -> SyntheticModel.write(file, SMALL, GgmlType.Q5_0, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot write a synthetic model with Q5_0 weights: supported types are [F32, F16, Q4_0, Q8_0, Q4_K, Q6_K, BF16]");
        SyntheticModel.Shape odd = new SyntheticModel.Shape(64, 1, 4, 4, 100, 300);
        assertThatThrownBy(() -> SyntheticModel.write(file, odd, GgmlType.Q8_0, 1))
                .hasMessage("Cannot write a synthetic model with Q8_0 weights: dim 64 and ffn 100 must be multiples of its block size 32");
        SyntheticModel.write(file, odd, GgmlType.F16, 1);
        assertThat(file).exists();
    }

    @Test
    void validatesTheShape() {
        assertThatThrownBy(() -> new SyntheticModel.Shape(64, 0, 4, 4, 96, 300))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot use synthetic model shape (dim 64, layers 0, heads 4, kvHeads 4, ffn 96, vocab 300, "
                        + "contextLength 2048): every size must be positive");
        assertThatThrownBy(() -> new SyntheticModel.Shape(60, 1, 8, 4, 96, 300))
                .hasMessage("Cannot use synthetic model shape: dim 60 must be 8 heads times an even head width");
        assertThatThrownBy(() -> new SyntheticModel.Shape(64, 1, 4, 3, 96, 300))
                .hasMessage("Cannot use synthetic model shape: kvHeads 3 must divide heads 4");
        assertThatThrownBy(() -> new SyntheticModel.Shape(64, 1, 4, 4, 96, 100))
                .hasMessage("Cannot use synthetic model shape: vocab 100 must be in [259, 1048576]");
        assertThat(SyntheticModel.Shape.llama134m().parameterCount()).isBetween(133_000_000L, 135_000_000L);
        assertThat(SyntheticModel.Shape.llama134m().contextLength()).isEqualTo(2048);
    }

    @Test
    void writesThe134mShapeInQ8WithEveryParameter() {
        Path file = dir.resolve("134m-q8_0.gguf");
        SyntheticModel.Shape shape = SyntheticModel.Shape.llama134m();
        SyntheticModel.write(file, shape, GgmlType.Q8_0, 7);
        try (GgufFile f = GgufFile.open(file)) {
            assertThat(f.tensorInfos()).hasSize(3 + 12 * 9);
            assertThat(f.tensor("output.weight").shape()).containsExactly(768, 32000);
            assertThat(f.tensorInfos().values().stream().mapToLong(GgufTensorInfo::elementCount).sum())
                    .isEqualTo(shape.parameterCount());
        }
    }

    /** Mean and standard deviation of an F32 tensor. */
    private static double[] stats(GgufFile f, String name) {
        float[] v = f.tensor(name).data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        double sum = 0;
        double sumSq = 0;
        for (float x : v) {
            sum += x;
            sumSq += (double) x * x;
        }
        double mean = sum / v.length;
        return new double[] {mean, Math.sqrt(sumSq / v.length - mean * mean)};
    }
}
