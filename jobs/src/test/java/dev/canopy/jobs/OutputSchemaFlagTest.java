package dev.canopy.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.jobs.batch.BatchConfigLoader;
import dev.canopy.jobs.batch.BatchSpecBuilder;
import dev.canopy.jobs.cli.Args;
import dev.canopy.pipeline.batch.BatchJobSpec;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code --output-schema} reaches the job's options; a type without a JSON form is a configuration error. */
class OutputSchemaFlagTest {

    private static BatchJobSpec spec(String ddl) {
        Args flags = Args.parse("batch", new String[] {"--input", "in.parquet", "--output", "out", "--model", "m.gguf",
                "--output-schema", ddl}, Set.of("input", "output", "model", "output-schema"), Set.of());
        Map<String, String> overrides = BatchGenerate.overrides(flags);
        return BatchSpecBuilder.build(BatchConfigLoader.load(Optional.empty(), overrides));
    }

    @Test
    void theDdlBecomesTheJobsOutputSchema() {
        assertThat(spec("label STRING, score DOUBLE, tags ARRAY<STRING>").options().outputSchema())
                .isEqualTo("label STRING, score DOUBLE, tags ARRAY<STRING>");
        assertThat(BatchGenerate.usage()).contains("[--output-schema=DDL]");
    }

    @Test
    void aTypeWithoutJsonFormFailsTheJobBeforeItRuns() {
        assertThatThrownBy(() -> spec("blob BINARY")).hasMessageContaining("column 'blob' has type binary");
    }
}
