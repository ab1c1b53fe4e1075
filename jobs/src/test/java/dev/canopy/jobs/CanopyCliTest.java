package dev.canopy.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanopyCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CanopyCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String model() {
        return dev.canopy.executor.TestModels.stories260kF32().toString();
    }

    @Test
    void aBadFlagPrintsUsageNamingItAndExitsWith2() {
        Run r = run("generate", "--model", model(), "--prompt", "x", "--temprature", "0.5");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown flag --temprature").contains("usage: canopy generate");
    }

    @Test
    void anUnknownCommandExitsWith2() {
        Run r = run("generat");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown command 'generat'");
    }

    @Test
    void quantizeAtLoadRunsACheckpointAsItsQuantizedGgufAndRefusesAnUnknownScheme(@TempDir Path dir) throws IOException {
        Path checkpoint = dir.resolve("stories260K-hf");
        dev.canopy.executor.hf.CheckpointFromGguf.write(Path.of(model()), checkpoint);
        Path quantized = dir.resolve("original-q8.gguf");
        dev.canopy.executor.model.ModelQuantizer.quantize(Path.of(model()), quantized,
                dev.canopy.executor.model.QuantScheme.Q8_0);

        Run atLoad = run("generate", "--model", checkpoint.toString(), "--quantize", "q8_0", "--prompt",
                "Once upon a time", "--max-tokens", "12");
        Run original = run("generate", "--model", quantized.toString(), "--prompt", "Once upon a time", "--max-tokens",
                "12");

        assertThat(atLoad.code()).as(atLoad.err()).isZero();
        assertThat(JSON.readTree(atLoad.out().strip()).get("text").asText())
                .isEqualTo(JSON.readTree(original.out().strip()).get("text").asText());
        Run bad = run("generate", "--model", checkpoint.toString(), "--quantize", "q3", "--prompt", "x");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--quantize must be one of Q8_0, Q4_0, Q4_K, Q6_K, Q4_K_M, got 'q3'");
    }

    @Test
    void generateWritesTheCompletionOnlyAsJson() throws IOException {
        Run r = run("generate", "--model", model(), "--prompt", "Once upon a time", "--max-tokens", "12");
        assertThat(r.code()).isZero();
        JsonNode line = JSON.readTree(r.out().strip());
        assertThat(line.get("text").asText()).isEqualTo(", there was a little girl named Lily. She");
        assertThat(line.get("prompt_tokens").asInt()).isEqualTo(5);
        assertThat(line.get("completion_tokens").asInt()).isEqualTo(12);
        assertThat(line.get("finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void aBadInputLineBecomesAnErrorLineAndTheOthersComplete(@TempDir Path dir) throws IOException {
        Path in = dir.resolve("in.jsonl");
        Path out = dir.resolve("out.jsonl");
        Files.write(in, List.of(
                "{\"id\": 1, \"prompt\": \"The little dog\", \"max_tokens\": 4}",
                "{\"id\": 2, \"prompt\": \"Lily\", \"temperature\": -1}",
                "not json",
                "{\"id\": \"x\", \"prompt\": 5}",
                "{\"id\": 3, \"prompt\": \"Tom\", \"max_tokens\": 3, \"seed\": 9, \"temperature\": 0.7}"));
        Run r = run("generate", "--model", model(), "--input", in.toString(), "--output", out.toString());
        assertThat(r.code()).isZero();
        List<JsonNode> lines = Files.readAllLines(out).stream().map(CanopyCliTest::parse).toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0).get("completion_tokens").asInt()).isEqualTo(4);
        assertThat(lines.get(1).get("error").asText()).contains("field temperature");
        assertThat(lines.get(2).get("error").asText()).contains("line 3 is not valid JSON");
        assertThat(lines.get(3).get("error").asText()).contains("field prompt: expected a string");
        assertThat(lines.get(4).get("id").asInt()).isEqualTo(3);
        assertThat(lines.get(4).get("completion_tokens").asInt()).isEqualTo(3);
    }

    @Test
    void inspectReportsTheModelAsJson() throws IOException {
        Run r = run("inspect", "--model", model(), "--json");
        assertThat(r.code()).isZero();
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("architecture").asText()).isEqualTo("llama");
        assertThat(j.get("layers").asInt()).isEqualTo(5);
        assertThat(j.get("kv_bytes_per_token").get("f32").asLong()).isEqualTo(2 * 5 * 32 * 4);
        assertThat(j.get("kv_bytes_per_token").get("q8").asLong()).isEqualTo(2 * 5 * (32 + 4));
        assertThat(j.get("kv_bytes_per_token").get("q4").asLong()).isEqualTo(5 * (16 + 8 + 16 + 4));
        assertThat(run("inspect", "--model", model()).out())
                .contains("KV cache     1,280 bytes per token (f32), 360 (q8), 220 (q4, blocks of 16)");
    }

    @Test
    void generateAndPerplexityRunWithAQuantizedKvCacheAndABadTypeIsAUsageError(@TempDir Path dir) throws IOException {
        Run q8 = run("generate", "--model", model(), "--prompt", "Once upon a time", "--max-tokens", "12",
                "--kv-type", "q8", "--backend", "auto");
        assertThat(q8.code()).isZero();
        assertThat(JSON.readTree(q8.out().strip()).get("completion_tokens").asInt()).isEqualTo(12);
        Path text = Files.writeString(dir.resolve("t.txt"), "Once upon a time, there was a little girl named Lily.");
        Run ppl = run("perplexity", "--model", model(), "--text", text.toString(), "--kv-type", "q4", "--json");
        assertThat(ppl.code()).isZero();
        assertThat(JSON.readTree(ppl.out()).get("kv_type").asText()).isEqualTo("q4");
        Run bench = run("bench", "--model", model(), "--prompt-len", "8", "--gen-len", "4", "--warmup", "0",
                "--kv-type", "q4", "--backend", "cpu", "--json");
        assertThat(bench.code()).as(bench.err()).isZero();
        assertThat(JSON.readTree(bench.out()).get("kv_type").asText()).isEqualTo("q4");
        Run bad = run("generate", "--model", model(), "--prompt", "x", "--kv-type", "q3");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("canopy: --kv-type: Cannot parse KV cache type 'q3': expected f32, q8 or q4");
    }

    @Test
    void theGpuFlagsAreAcceptedAndIgnoredOnTheCpuAndABadValueIsAUsageError() throws IOException {
        Run generate = run("generate", "--model", model(), "--prompt", "Once upon a time", "--max-tokens", "4",
                "--backend", "cpu", "--tensor-cores", "off", "--shared-prefix-attention", "on");
        assertThat(generate.code()).as(generate.err()).isZero();
        assertThat(JSON.readTree(generate.out().strip()).get("completion_tokens").asInt()).isEqualTo(4);
        Run bench = run("bench", "--model", model(), "--prompt-len", "8", "--gen-len", "4", "--warmup", "0",
                "--backend", "cpu", "--tensor-cores", "on", "--json");
        assertThat(bench.code()).as(bench.err()).isZero();
        assertThat(JSON.readTree(bench.out()).get("backend").asText()).isEqualTo("cpu");

        Run bad = run("generate", "--model", model(), "--prompt", "x", "--shared-prefix-attention", "yes");
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("canopy: --shared-prefix-attention must be on or off, got 'yes'")
                .contains("usage: canopy generate");
    }

    @Test
    void aMissingModelFileFailsWithItsName() {
        Run r = run("inspect", "--model", "/nonexistent/m.gguf");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("/nonexistent/m.gguf").contains("does not exist");
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
