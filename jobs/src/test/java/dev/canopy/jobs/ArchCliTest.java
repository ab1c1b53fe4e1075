package dev.canopy.jobs;

import static dev.canopy.jobs.CanopyCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line over the new architectures: synth-model writes a mixture of experts, inspect counts what a
 * token costs, bench --vs measures it next to a dense model in one process; a dense-only architecture with experts
 * is a usage error.
 */
class ArchCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void synthInspectAndBenchAMixtureOfExpertsNextToADenseModel(@TempDir Path dir) throws IOException {
        String moe = dir.resolve("moe.gguf").toString();
        String dense = dir.resolve("dense.gguf").toString();
        String shape = "--dim 64 --layers 2 --heads 4 --kv-heads 2 --vocab 300 --type Q8_0";
        String experts = "--arch qwen3moe --ffn 64 --experts 8 --experts-used 2 --expert-ffn 32";
        CanopyCliTest.Run w = run(String.join(" ", "synth-model --out", moe, experts, shape).split(" "));
        assertThat(w.code()).as(w.err()).isZero();
        assertThat(run((String.join(" ", "synth-model --out", dense, "--ffn 64", shape)).split(" ")).code()).isZero();

        CanopyCliTest.Run inspect = run("inspect", "--model", moe, "--json");
        assertThat(inspect.code()).as(inspect.err()).isZero();
        JsonNode j = JSON.readTree(inspect.out());
        assertThat(j.get("architecture").asText()).isEqualTo("qwen3moe");
        assertThat(j.get("experts").get("count").asInt()).isEqualTo(8);
        long expertParams = 2L * 3 * 64 * 32 * 8; // 2 layers × gate/up/down × [64, 32, 8]
        assertThat(j.get("active_parameters_per_token").asLong())
                .isEqualTo(j.get("parameters").asLong() - expertParams * 6 / 8);

        CanopyCliTest.Run bench = run("bench", "--model", dense, "--vs", moe, "--prompt-len", "8", "--gen-len", "4", "--warmup", "0",
                "--rounds", "3", "--backend", "cpu", "--threads", "1", "--json");
        assertThat(bench.code()).as(bench.err()).isZero();
        JsonNode b = JSON.readTree(bench.out());
        assertThat(b.get("dense.gguf").get("decode_ratio").asDouble()).isEqualTo(1.0);
        assertThat(b.get("moe.gguf").get("decode_ratio").asDouble()).isPositive();
        // the same-round ratios: the first model's are 1 in every round; the other's median is the middle one
        assertThat(b.get("dense.gguf").get("decode_ratio_per_round")).hasSize(3)
                .allSatisfy(r -> assertThat(r.asDouble()).isEqualTo(1.0));
        JsonNode perRound = b.get("moe.gguf").get("decode_ratio_per_round");
        assertThat(perRound).hasSize(3);
        double[] sorted = java.util.stream.StreamSupport.stream(perRound.spliterator(), false)
                .mapToDouble(JsonNode::asDouble).sorted().toArray();
        assertThat(b.get("moe.gguf").get("decode_ratio_median").asDouble()).isEqualTo(sorted[1]);
    }

    @Test
    void expertsOnADenseArchitectureAreAUsageError(@TempDir Path dir) {
        CanopyCliTest.Run r = run("synth-model", "--out", dir.resolve("x.gguf").toString(), "--arch", "gemma2", "--dim", "64",
                "--heads", "4", "--experts", "4");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("Cannot write a synthetic gemma2 model with experts: only llama, qwen3moe and "
                + "gpt-oss have a mixture of experts");
    }
}
