package dev.canopy.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.executor.model.SyntheticModel;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.jobs.CanopyCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code canopy bench --compare offload} on a tiny synthetic model: the long-output workload at 100% of its KV working
 * set, then at 50% and 25% with recompute, LRU swap and plan-aware swap, all in one process.
 */
class OffloadComparisonTest {

    @TempDir
    static Path dir;

    private static Path model;

    @BeforeAll
    static void writeModel() {
        model = dir.resolve("tiny.gguf");
        SyntheticModel.write(model, new SyntheticModel.Shape(64, 2, 4, 4, 128, 320, 512), GgmlType.F32, 3);
    }

    private record Run(int code, String out, String err) {
    }

    private static Run bench(String... extra) {
        List<String> args = new ArrayList<>(List.of("bench", "--model", model.toString(), "--compare", "offload",
                "--requests", "8", "--prompt-len", "16", "--output-len", "48", "--threads", "2", "--backend", "cpu"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CanopyCli.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void reportsEveryModeAtEveryBudgetWithOutputsIdenticalToTheUnconstrainedRun() throws IOException {
        Run r = bench("--json");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertThat(j.get("workload").asText()).isEqualTo("long-output");
        assertThat(j.get("working_set_blocks").asInt()).isEqualTo(8 * 4); // (16 + 48) tokens in blocks of 16
        List<String> modes = new ArrayList<>();
        for (JsonNode run : j.get("runs")) {
            modes.add(run.get("budget_percent").asInt() + " " + run.get("mode").asText());
            assertThat(run.get("outputs_identical").asBoolean()).as(run.toString()).isTrue();
            assertThat(run.get("errors").asInt()).isZero();
        }
        assertThat(modes).containsExactly("100 unconstrained", "50 recompute", "50 lru-swap", "50 plan-swap",
                "25 recompute", "25 lru-swap", "25 plan-swap");
        JsonNode unconstrained = j.get("runs").get(0);
        assertThat(unconstrained.get("preemptions").asLong()).isZero();
        assertThat(unconstrained.get("kv_pool_blocks").asInt()).isEqualTo(32);
        assertThat(unconstrained.get("throughput_vs_unconstrained").asDouble()).isEqualTo(1.0);
        JsonNode recompute = j.get("runs").get(4);
        assertThat(recompute.get("kv_pool_blocks").asInt()).isEqualTo(8);
        assertThat(recompute.get("preemptions").asLong()).isPositive();
        assertThat(recompute.get("host_bytes_in").asLong()).isZero();
        for (int i : new int[] {5, 6}) {
            JsonNode swap = j.get("runs").get(i);
            assertThat(swap.get("swap_outs").asLong()).as(swap.toString()).isPositive();
            assertThat(swap.get("host_bytes_in").asLong()).isPositive();
            assertThat(swap.get("host_bytes_out").asLong()).isPositive();
        }
        assertThat(j.get("runs").get(6).get("prefix_blocks_written").asLong()).as("plan-aware writes no dead prefix")
                .isLessThanOrEqualTo(j.get("runs").get(5).get("prefix_blocks_written").asLong());
    }

    @Test
    void printsATableWithOneLinePerRun() {
        Run r = bench("--budgets", "50");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("working set 32 blocks").contains("out tok/s").contains("vs 100%");
        assertThat(r.out().lines().filter(l -> l.matches("\\s*\\d+% .*"))).hasSize(4);
    }

    @Test
    void aBadBudgetNamesTheAllowedRange() {
        Run r = bench("--budgets", "50,0");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--budgets expects percentages of the working set in [1, 100]");
    }
}
