package dev.canopy.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.cuda.GpuSettings;
import dev.canopy.jobs.BatchCommand;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code --tensor-cores on|off} and {@code --shared-prefix-attention on|off}, as every engine command reads them. */
class GpuFlagsTest {

    private static Args args(String... argv) {
        return Args.parse("generate", argv, GpuFlags.plus(Set.of("model")), Set.of());
    }

    @Test
    void withoutTheFlagsTheDefaultsHoldTensorCoresOnSharedPrefixAttentionOff() {
        assertThat(GpuFlags.parse(args("--model", "m.gguf"))).isEqualTo(new GpuSettings(true, false));
    }

    @Test
    void onAndOffChooseEachSettingAndTheLastOneGivenWins() {
        assertThat(GpuFlags.parse(args("--tensor-cores", "off", "--shared-prefix-attention", "on")))
                .isEqualTo(new GpuSettings(false, true));
        assertThat(GpuFlags.parse(args("--tensor-cores=off", "--tensor-cores", "on")))
                .isEqualTo(new GpuSettings(true, false));
    }

    @Test
    void aValueOtherThanOnOrOffIsAUsageErrorNamingTheFlag() {
        assertThatThrownBy(() -> GpuFlags.parse(args("--tensor-cores", "true")))
                .isInstanceOf(UsageException.class)
                .hasMessage("canopy: --tensor-cores must be on or off, got 'true'");
        assertThatThrownBy(() -> GpuFlags.parse(args("--shared-prefix-attention", "ON")))
                .isInstanceOf(UsageException.class)
                .hasMessage("canopy: --shared-prefix-attention must be on or off, got 'ON'");
        assertThatThrownBy(() -> args("--tensor-cores"))
                .isInstanceOf(UsageException.class)
                .hasMessage("canopy generate: flag --tensor-cores needs a value");
    }

    @Test
    void theEngineFlagsReachTheEngineConfig() {
        Args a = Args.parse("generate", new String[] {"--model", "m.gguf", "--shared-prefix-attention", "on"},
                GpuFlags.plus(Set.of("model")), Set.of());
        assertThat(EngineFlags.config(a).gpu()).isEqualTo(new GpuSettings(true, true));
    }

    @Test
    void everyEngineCommandDocumentsTheFlagsAndThatTheCpuIgnoresThem() {
        for (Command command : new Command[] {new GenerateCommand(), new BenchCommand(), new PlanCommand(),
                new BatchCommand()}) {
            assertThat(command.usage()).as(command.name())
                    .contains("--tensor-cores=on|off").contains("--shared-prefix-attention=on|off");
        }
        assertThat(new GenerateCommand().usage()).contains("Default: on").contains("Default: off")
                .contains("Ignored on the CPU");
    }
}
