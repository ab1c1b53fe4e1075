package dev.canopy.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.model.SyntheticModel;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.jobs.CanopyCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code canopy quantize} and {@code canopy perplexity} on a small synthetic model. */
class QuantizeAndPerplexityCommandTest {

    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void writeModel() {
        model = dir.resolve("f32.gguf");
        // ffn 96 is not a multiple of 256: ffn_down falls back
        SyntheticModel.write(model, new SyntheticModel.Shape(256, 2, 4, 4, 96, 300, 128), GgmlType.F32, 5);
    }

    @Test
    void quantizeWritesTheFileAndListsEachFallback() {
        Path out = dir.resolve("q4km.gguf");
        Result r = run("quantize", "--input", model.toString(), "--output", out.toString(), "--type", "q4_k_m");
        assertThat(r.code).isZero();
        // with 2 layers llama.cpp's use_more_bits picks only the last for Q6_K
        assertThat(r.out).contains("fallback blk.0.ffn_down.weight: 96 columns do not divide into Q4_K blocks of 256, "
                + "written as Q5_0");
        assertThat(r.out).contains("fallback blk.1.ffn_down.weight: 96 columns do not divide into Q6_K blocks of 256, "
                + "written as Q8_0");
        assertThat(r.out).contains("wrote " + out + " (Q4_K_M): 21 tensors").contains("2 fallbacks");
        try (GgufFile file = GgufFile.open(out)) {
            assertThat(file.tensorInfos().get("blk.0.attn_q.weight").type()).isEqualTo(GgmlType.Q4_K);
            assertThat(file.metadata().getLong("general.file_type")).isEqualTo(15);
        }
    }

    @Test
    void quantizeRejectsAnUnknownType() {
        Result r = run("quantize", "--input", model.toString(), "--output", dir.resolve("x.gguf").toString(), "--type", "Q3_K");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("canopy quantize: --type must be one of Q8_0, Q4_0, Q4_K, Q6_K, Q4_K_M, got 'Q3_K'");
    }

    @Test
    void perplexityReportsOverEveryTokenOfTheText() throws IOException {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "hello world, the quick brown fox jumps over the lazy dog. ".repeat(8));
        Result r = run("perplexity", "--model", model.toString(), "--text", text.toString(), "--context", "64",
                "--threads", "1", "--json");
        assertThat(r.code).isZero();
        assertThat(r.out).contains("\"context\" : 64").contains("\"perplexity\" :").contains("\"windows\" :");
        Result bad = run("perplexity", "--model", model.toString(), "--text", text.toString(), "--context", "4096");
        assertThat(bad.code).isEqualTo(1);
        assertThat(bad.err).contains("Cannot evaluate perplexity: context 4096 must be in [2, 128]");
    }

    @Test
    void kernelsTakesAForcedPathByNameAndRefusesAnUnknownOne() throws IOException {
        Path text = dir.resolve("text.txt");
        Files.writeString(text, "hello world, the quick brown fox jumps over the lazy dog. ".repeat(4));
        Result vectorApi = run("perplexity", "--model", model.toString(), "--text", text.toString(), "--context", "32",
                "--threads", "1", "--kernels", "java", "--json");
        assertThat(vectorApi.code).isZero();
        Result unknown = run("perplexity", "--model", model.toString(), "--text", text.toString(), "--kernels", "avx3");
        assertThat(unknown.code).isEqualTo(2);
        assertThat(unknown.err).contains("--kernels must be auto, native, native-avx512, native-avx2, native-c or java, "
                + "got 'avx3'");
    }

    private record Result(int code, String out, String err) {}

    private static Result run(String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CanopyCli.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
