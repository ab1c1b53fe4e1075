package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.executor.tokenizer.TokenizerLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The MaskBench check on real schemas from the shared benchmark files with the Llama 3 vocabulary: no invalid
 * instance accepted, and the valid ones of compiled schemas accepted token by token.
 */
class MaskBenchTest {

    @Test
    void githubSchemasPassWithNoInvalidInstanceAccepted() {
        Path data = TestModels.dir().resolve("../structured/maskbench/data").normalize();
        Tokenizer tokenizer;
        try (GgufFile file = GgufFile.open(TestModels.dir().resolve("vocab/llama3-vocab.gguf"))) {
            tokenizer = TokenizerLoader.load(file.metadata());
        }
        List<MaskBench.SchemaResult> results = new MaskBench(tokenizer).run(data, "Github_trivial", 40);
        MaskBench.Summary total = MaskBench.summarize(results).get("TOTAL");

        assertThat(total.schemas()).isEqualTo(40);
        assertThat(total.invalidationErrors()).isZero();
        assertThat(total.internalErrors()).isZero();
        assertThat(total.passing()).isGreaterThanOrEqualTo(30);
        assertThat(results).filteredOn(r -> r.outcome() == MaskBench.Outcome.COMPILE_ERROR)
                .allSatisfy(r -> assertThat(r.detail()).startsWith("Cannot compile"));
        assertThat(total.masks()).isGreaterThan(500);
    }
}
