package dev.canopy.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.engine.GenerationRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each bench workload's sizes come from its own defaults unless a flag sets them; the help shows those defaults. */
class BenchWorkloadTest {

    private static List<GenerationRequest> requests(String workload, String... argv) {
        return BenchCommand.requests(Args.parse(new BenchCommand(), argv), workload, 1000);
    }

    @Test
    void withoutFlagsAWorkloadTakesItsOwnDefaults() {
        List<GenerationRequest> longOutput = requests("long-output");
        assertThat(longOutput).hasSize(32);
        assertThat(longOutput.getFirst().promptTokens()).hasSize(64);
        assertThat(longOutput.getFirst().params().maxTokens()).isEqualTo(1024);
        assertThat(requests("shared-prefix")).hasSize(4 * 16)
                .allSatisfy(r -> assertThat(r.params().maxTokens()).isEqualTo(64));
    }

    @Test
    void aFlagOverridesTheDefaultOfWhicheverWorkloadRuns() {
        List<GenerationRequest> r = requests("long-output", "--requests", "3", "--output-len", "7");
        assertThat(r).hasSize(3).allSatisfy(q -> assertThat(q.params().maxTokens()).isEqualTo(7));
    }

    @Test
    void theHelpListsEachWorkloadsDefaultAndAnUnknownWorkloadIsAUsageError() {
        assertThat(BenchWorkload.defaultsOf("output-len"))
                .isEqualTo("default: shared-prefix 64, random 64:128, mixed 16, long-output 1024");
        assertThat(CliReference.markdown(List.of(new BenchCommand())))
                .contains("(default: single stream 128, random 128:512, long-output 64)");
        assertThatThrownBy(() -> requests("bursty")).isInstanceOf(UsageException.class)
                .hasMessage("canopy bench: --workload must be shared-prefix, random, mixed or long-output, got 'bursty'");
    }
}
