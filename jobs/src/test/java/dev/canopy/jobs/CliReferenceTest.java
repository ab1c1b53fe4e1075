package dev.canopy.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.jobs.cli.CliReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** {@code docs/cli.md} is what the flag declarations say: a stale file is rewritten and the build fails. */
class CliReferenceTest {

    private static final Path DOC = Path.of("..", "docs", "cli.md");

    @Test
    void theFlagReferenceInDocsMatchesTheDeclarations() throws IOException {
        String expected = CliReference.markdown(CanopyCli.runner().commands());
        String actual = Files.isRegularFile(DOC) ? Files.readString(DOC, StandardCharsets.UTF_8) : "";
        if (!actual.equals(expected)) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
        }
        assertThat(actual).as("docs/cli.md was out of date with the flag declarations; it has been rewritten from "
                + "them: review and commit it").isEqualTo(expected);
    }

    @Test
    void everyCommandAndEveryDeclaredFlagIsInTheReference() {
        String md = CliReference.markdown(CanopyCli.runner().commands());
        CanopyCli.runner().commands().forEach(c -> {
            assertThat(md).contains("## canopy " + c.name());
            c.flags().forEach(f -> assertThat(md).contains("`--" + f.name() + "`"));
        });
        assertThat(md).contains("| `--max-tokens` | `N` | `64` | most tokens to generate per prompt |")
                .contains("`auto\\|cpu\\|cuda`");
    }
}
