package dev.canopy.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.canopy.jobs.batch.BatchConfigLoader;
import dev.canopy.jobs.cli.Args;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The batch flags and the config keys they set are declared together; every key is one the config file knows. */
class BatchCommandTest {

    @Test
    void everyFlagSetsAKeyTheConfigFileKnows() {
        BatchCommand.configKeys().forEach((flag, key) -> assertThatCode(
                () -> BatchConfigLoader.load(Optional.empty(), Map.of(key, "1"))).as("--" + flag + " sets " + key)
                .doesNotThrowAnyException());
    }

    @Test
    void onlyFlagsGivenOverrideTheFileNotTheDefaultsTheHelpShows() {
        Args flags = Args.parse(new BatchCommand(), new String[] {"--input", "in.parquet", "--id-column", "key",
            "--max-tokens", "9"});
        assertThat(BatchGenerate.overrides(flags)).containsExactly(Map.entry("input", "in.parquet"),
                Map.entry("columns.id", "key"), Map.entry("sampling.max-tokens", "9"));
    }
}
