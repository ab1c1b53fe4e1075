package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.ArchGoldens;
import dev.canopy.executor.tensor.KernelChoice;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each architecture's tiny model, decoded greedily by the bare forward pass, gives llama.cpp's 32
 * tokens for every prompt, and llama.cpp's top-5 logits at every step, on both kernel paths.
 */
class ArchGoldenTest {

    static Stream<Arguments> modelsAndKernels() {
        return ArchGoldens.F32_MODELS.stream()
                .flatMap(m -> Stream.of(Arguments.of(m, KernelChoice.JAVA), Arguments.of(m, KernelChoice.NATIVE)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndKernels")
    void greedyTokensAndLogitsMatchLlamaCpp(String stem, KernelChoice kernels) {
        // Gemma's llama.cpp GELU is an fp16 lookup table, so its logits differ from float math by up to ~1e-2
        double tolerance = stem.startsWith("gemma") ? 2e-2 : 1e-3;
        try (Model model = Model.load(ArchGoldens.model(stem));
             CpuBackend backend = new CpuBackend(model, 2, kernels, 8, 16)) {
            for (ArchGoldens.Generation ref : ArchGoldens.generations(stem)) {
                int[] prompt = model.tokenizer().encode(ref.prompt(), true, false);
                assertThat(prompt).as("prompt tokens of %s", ref.prompt()).containsExactly(ref.promptTokens());
                float[][] logits = new float[ref.generatedTokens().length][];
                int[] generated = TransformerGoldenTest.greedy(model, backend, prompt, logits.length, logits);
                assertThat(generated).as("%s: tokens for %s", stem, ref.prompt()).containsExactly(ref.generatedTokens());
                for (int s = 0; s < logits.length; s++) {
                    for (double[] idLogit : ref.top5()[s]) {
                        assertThat((double) logits[s][(int) idLogit[0]]).as("%s %s step %d token %d", stem,
                                ref.prompt(), s, (int) idLogit[0]).isCloseTo(idLogit[1],
                                org.assertj.core.data.Offset.offset(tolerance));
                    }
                }
            }
        }
    }

    /**
     * The Q8_0 twin of qwen3: llama.cpp quantizes activations to Q8_0 before a Q8_0 matmul, so only the first
     * step is comparable (its README: first token equal, top-5 logits within about 0.25).
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = KernelChoice.class, names = {"JAVA", "NATIVE"})
    void theQ8Qwen3FileLoadsAndItsFirstStepMatchesLlamaCpp(KernelChoice kernels) {
        try (Model model = Model.load(ArchGoldens.model("qwen3-tiny-q8_0"));
             CpuBackend backend = new CpuBackend(model, 2, kernels, 8, 16)) {
            assertThat(model.weights().layers().getFirst().wq().type())
                    .isEqualTo(dev.canopy.executor.tensor.GgmlType.Q8_0);
            for (ArchGoldens.Generation ref : ArchGoldens.generations("qwen3-tiny-q8_0")) {
                float[][] logits = new float[1][];
                int[] first = TransformerGoldenTest.greedy(model, backend, ref.promptTokens(), 1, logits);
                assertThat(first[0]).as(ref.prompt()).isEqualTo(ref.generatedTokens()[0]);
                for (double[] idLogit : ref.top5()[0]) {
                    assertThat((double) logits[0][(int) idLogit[0]]).as("%s token %d", ref.prompt(), (int) idLogit[0])
                            .isCloseTo(idLogit[1], org.assertj.core.data.Offset.offset(0.25));
                }
            }
        }
    }
}
