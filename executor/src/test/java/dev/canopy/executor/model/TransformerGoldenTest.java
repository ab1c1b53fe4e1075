package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.ReferenceOutputs;
import dev.canopy.executor.TestModels;
import dev.canopy.executor.tensor.KernelChoice;
import dev.canopy.executor.tokenizer.TokenDecoder;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The bare forward pass, driven greedily token by token, reproduces the independent references. */
class TransformerGoldenTest {

    @ParameterizedTest
    @EnumSource(value = KernelChoice.class, names = {"JAVA", "AUTO"})
    void greedyDecodingMatchesLlama2cAndLlamaCpp(KernelChoice kernels) {
        try (Model model = Model.load(TestModels.stories260kF32());
             CpuBackend backend = new CpuBackend(model, 2, kernels, 8, 16)) {
            for (ReferenceOutputs.Llama2c ref : ReferenceOutputs.llama2c()) {
                int[] prompt = model.tokenizer().encode(ref.prompt(), true, false);
                assertThat(prompt).containsExactly(ref.promptTokens());
                int[] generated = greedy(model, backend, prompt, 64);
                assertThat(Arrays.copyOf(generated, ref.generatedTokens().length))
                        .as("tokens for %s", ref.prompt()).containsExactly(ref.generatedTokens());
                String completion = decode(model, generated);
                String expected = ReferenceOutputs.llamaCpp().stream()
                        .filter(r -> r.model().equals("stories260K-f32.gguf") && r.prompt().equals(ref.prompt()))
                        .findFirst().orElseThrow().text();
                assertThat(ref.prompt() + completion).isEqualTo(expected);
            }
        }
    }

    static int[] greedy(Model model, Backend backend, int[] prompt, int n) {
        return greedy(model, backend, prompt, n, null);
    }

    /** Greedy decoding of n tokens; when {@code stepLogits} is given, each step's logits go to {@code stepLogits[i]}. */
    static int[] greedy(Model model, Backend backend, int[] prompt, int n, float[][] stepLogits) {
        int[] table = new int[backend.numBlocks()];
        for (int i = 0; i < table.length; i++) {
            table[i] = i;
        }
        int vocab = model.config().vocab();
        float[] logits = backend.forward(ForwardBatch.ofSequence(prompt, 0, table));
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            if (stepLogits != null) {
                stepLogits[i] = logits.clone();
            }
            int best = 0;
            for (int v = 1; v < vocab; v++) {
                if (logits[v] > logits[best]) {
                    best = v;
                }
            }
            out[i] = best;
            if (i + 1 < n) {
                logits = backend.forward(ForwardBatch.ofSequence(new int[] {best}, prompt.length + i, table));
            }
        }
        return out;
    }

    static String decode(Model model, int[] tokens) {
        TokenDecoder d = model.tokenizer().newDecoder();
        StringBuilder sb = new StringBuilder();
        for (int t : tokens) {
            sb.append(d.append(t));
        }
        return sb.append(d.finish()).toString();
    }
}
