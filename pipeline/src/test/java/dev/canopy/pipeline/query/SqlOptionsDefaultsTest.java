package dev.canopy.pipeline.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.canopy.pipeline.GenerateOptions;

/** {@code canopy_generate} with only a model runs as the notebook's {@code GenerateOptions.forModel} does. */
class SqlOptionsDefaultsTest {

    @Test
    void onlyAModelGivesTheNotebookDefaults() {
        assertThat(SqlOptions.parse(Map.of("model", "/models/m.gguf")))
                .isEqualTo(GenerateOptions.forModel("/models/m.gguf"));
    }

    @Test
    void anArgumentChangesItsOwnSettingOnly() {
        assertThat(SqlOptions.parse(Map.of("model", "/models/m.gguf", "max_tokens", "7")))
                .isEqualTo(GenerateOptions.forModel("/models/m.gguf").withMaxTokens(7));
    }
}
