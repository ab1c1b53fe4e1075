package dev.canopy.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.jobs.CanopyCliTest.Run;
import org.junit.jupiter.api.Test;

/** How the command line reads flags before any command runs: suggestions, help, completion. No model is loaded. */
class CliParsingTest {

    @Test
    void aMisspelledFlagIsNamedWithTheFlagItWasProbablyMeantToBeAndExitsWith2() {
        Run r = CanopyCliTest.run("generate", "--model", "m.gguf", "--prompt", "x", "--temprature", "0.5");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("canopy generate: unknown flag --temprature")
                .contains("Did you mean: --temperature").contains("usage: canopy generate");
    }

    @Test
    void aMisspelledCommandIsNamedWithTheCommandItWasProbablyMeantToBe() {
        Run r = CanopyCliTest.run("inspekt", "--model", "m.gguf");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("canopy: unknown command 'inspekt'").contains("Did you mean: inspect");
    }

    @Test
    void aFlagWithoutItsValueAndAStrayArgumentAreUsageErrors() {
        Run noValue = CanopyCliTest.run("inspect", "--model");
        assertThat(noValue.code()).isEqualTo(2);
        assertThat(noValue.err()).contains("canopy inspect: flag --model needs a value");
        Run stray = CanopyCliTest.run("inspect", "m.gguf");
        assertThat(stray.code()).isEqualTo(2);
        assertThat(stray.err()).contains("canopy inspect: unexpected argument 'm.gguf'");
    }

    @Test
    void helpListsEveryFlagWithItsDefaultAndExitsWith0() {
        Run r = CanopyCliTest.run("generate", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.err()).contains("usage: canopy generate").contains("--max-tokens=N")
                .contains("most tokens to generate per prompt").contains("Default: 64")
                .contains("--kv-budget=SIZE").contains("Default: 1g")
                .contains("input lines:");
        Run list = CanopyCliTest.run("help");
        assertThat(list.code()).isZero();
        assertThat(list.err()).contains("batch").contains("structured-bench").contains("completion");
    }

    @Test
    void completionPrintsABashScriptCompletingCommandsFlagsAndChoices() {
        Run r = CanopyCliTest.run("completion");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("complete -F").contains("generate").contains("--max-batch-tokens")
                .contains("--output-table").contains("(\"planned\" \"input\")")
                .contains("(\"f32\" \"q8\" \"q4\")");
    }
}
