package dev.canopy.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.executor.TestModels;
import org.junit.jupiter.api.Test;

/** {@code canopy structured-check} on a few shared MaskBench files with the Llama 3 vocabulary. */
class StructuredCheckCliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String[] check(String... extra) {
        String data = TestModels.dir().resolve("../structured/maskbench/data").normalize().toString();
        String vocab = TestModels.dir().resolve("vocab/llama3-vocab.gguf").toString();
        String[] base = {"structured-check", "--data", data, "--tokenizer", vocab, "--only", "Github_trivial",
            "--limit", "12", "--json"};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        return args;
    }

    @Test
    void aWarmUpRunChangesNoOutcomeOnlyWhetherTheJitIsWarm() throws Exception {
        CanopyCliTest.Run cold = CanopyCliTest.run(check());
        CanopyCliTest.Run warm = CanopyCliTest.run(check("--warmup-files", "5"));

        assertThat(cold.code()).isZero();
        assertThat(warm.code()).isZero();
        JsonNode c = JSON.readTree(cold.out()).get("TOTAL");
        JsonNode w = JSON.readTree(warm.out()).get("TOTAL");
        assertThat(w.get("schemas").asInt()).isEqualTo(12); // the warm-up files are not counted
        for (String field : new String[] {"schemas", "passing", "compile_errors", "validation_errors",
            "invalidation_errors", "masks"}) {
            assertThat(w.get(field)).as(field).isEqualTo(c.get(field));
        }
    }

    @Test
    void aNegativeWarmUpIsAUsageError() {
        CanopyCliTest.Run r = CanopyCliTest.run(check("--warmup-files", "-1"));

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--warmup-files -1 is negative");
    }
}
