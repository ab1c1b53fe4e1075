package dev.canopy.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.model.ModelQuantizer;
import dev.canopy.executor.model.QuantScheme;
import dev.canopy.executor.tensor.KernelChoice;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Perplexity of the real tiny model (stories260K) on a TinyStories-style text written for these tests
 * ({@code perplexity/tiny-stories.txt}), in F32 and quantized by {@link ModelQuantizer}. Only its
 * 64-wide matrices quantize: {@code ffn_down} (172 wide) falls back to F16, and the tied embedding (the
 * output) to Q8_0 in every scheme, as llama.cpp would write them.
 */
class PerplexityTest {

    private static final int CONTEXT = 512;
    private static String text;

    @TempDir
    static Path dir;

    @BeforeAll
    static void readText() throws IOException {
        try (InputStream in = PerplexityTest.class.getResourceAsStream("/perplexity/tiny-stories.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void quantizedModelsStayCloseToF32AndQ8_0WithinOnePercent() {
        Map<String, Perplexity.Result> table = new LinkedHashMap<>();
        table.put("F32", evaluate(TestModels.stories260kF32()));
        table.put("Q8_0 (llama.cpp file)", evaluate(TestModels.stories260kQ8()));
        for (QuantScheme scheme : new QuantScheme[] {QuantScheme.Q8_0, QuantScheme.Q4_0, QuantScheme.Q4_K_M}) {
            Path out = dir.resolve("stories260K-" + scheme + ".gguf");
            ModelQuantizer.quantize(TestModels.stories260kF32(), out, scheme);
            table.put(scheme.name(), evaluate(out));
        }
        double f32 = table.get("F32").perplexity();
        table.forEach((name, r) -> System.out.printf(Locale.ROOT, "perplexity %-22s %8.4f (%+.2f%%), %d tokens, %d windows%n",
                name, r.perplexity(), 100 * (r.perplexity() / f32 - 1), r.tokens(), r.windows()));

        assertThat(table.get("F32").tokens()).isGreaterThanOrEqualTo(2000);
        assertThat(f32).isBetween(1.5, 20.0); // a model trained on such stories predicts them well
        assertThat(table.get("Q8_0").perplexity()).isCloseTo(f32, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(table.get("Q8_0 (llama.cpp file)").perplexity())
                .isCloseTo(f32, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(table.get("Q4_0").perplexity()).isGreaterThan(table.get("Q8_0").perplexity())
                .isCloseTo(f32, org.assertj.core.data.Percentage.withPercentage(15));
    }

    @Test
    void an8BitKvCacheStaysWithinOnePercentOfF32AndA4BitOneWithinOneAndAHalfPercent() {
        Path q8Weights = dir.resolve("stories260K-kv-Q8_0.gguf");
        ModelQuantizer.quantize(TestModels.stories260kF32(), q8Weights, QuantScheme.Q8_0);
        Map<String, Perplexity.Result> table = new LinkedHashMap<>();
        for (Path weights : new Path[] {TestModels.stories260kF32(), q8Weights}) {
            try (Model model = Model.load(weights)) {
                for (KvCacheType kv : KvCacheType.values()) {
                    String name = (weights == q8Weights ? "Q8_0" : "F32") + " weights, " + kv.label() + " KV";
                    table.put(name, Perplexity.evaluate(model, text, CONTEXT, 1, KernelChoice.AUTO, kv));
                }
            }
        }
        double f32 = table.get("F32 weights, f32 KV").perplexity();
        table.forEach((name, r) -> System.out.printf(Locale.ROOT, "perplexity %-24s %8.4f (%+.2f%%)%n", name,
                r.perplexity(), 100 * (r.perplexity() / f32 - 1)));

        assertThat(table.get("F32 weights, q8 KV").perplexity()).isCloseTo(f32, withPercentage(1));
        assertThat(table.get("F32 weights, q4 KV").perplexity()).isCloseTo(f32, withPercentage(Q4_KV_PERCENT));
        double q8Weights32 = table.get("Q8_0 weights, f32 KV").perplexity();
        assertThat(table.get("Q8_0 weights, q8 KV").perplexity()).isCloseTo(q8Weights32, withPercentage(1));
        assertThat(table.get("Q8_0 weights, q4 KV").perplexity()).isCloseTo(q8Weights32, withPercentage(Q4_KV_PERCENT));
    }

    /**
     * Bound on the 4-bit KV cache's perplexity change, in blocks of 16: measured +0.27% (F32 weights) and +0.41%
     * (Q8_0 weights) on this text, 8-bit KV +0.22% and +0.28%; the bound leaves room for kernel changes.
     */
    private static final double Q4_KV_PERCENT = 1.5;

    @Test
    void theBackendsAgreeAndEveryTokenIsPredictedOnce() {
        try (Model model = Model.load(TestModels.stories260kF32())) {
            int tokens = model.tokenizer().encode(text, false, false).length;
            Perplexity.Result java = Perplexity.evaluate(model, text, 300, 1, KernelChoice.JAVA);
            Perplexity.Result auto = Perplexity.evaluate(model, text, 300, 1, KernelChoice.AUTO);
            assertThat(java.tokens()).isEqualTo(tokens);
            assertThat(java.windows()).isEqualTo((tokens + 299) / 300);
            assertThat(auto.perplexity()).isCloseTo(java.perplexity(), org.assertj.core.data.Percentage.withPercentage(0.01));
        }
    }

    @Test
    void aLongerContextPredictsBetter() {
        try (Model model = Model.load(TestModels.stories260kF32())) {
            double short16 = Perplexity.evaluate(model, text, 16, 1, KernelChoice.AUTO).perplexity();
            double long512 = Perplexity.evaluate(model, text, 512, 1, KernelChoice.AUTO).perplexity();
            assertThat(long512).isLessThan(short16);
        }
    }

    @Test
    void rejectsAContextOutsideTheModelsAndAnEmptyText() {
        try (Model model = Model.load(TestModels.stories260kF32())) {
            assertThatThrownBy(() -> Perplexity.evaluate(model, text, 513, 1, KernelChoice.JAVA))
                    .hasMessage("Cannot evaluate perplexity: context 513 must be in [2, 512] (the model's context length)");
            assertThatThrownBy(() -> Perplexity.evaluate(model, "", 64, 1, KernelChoice.JAVA))
                    .hasMessage("Cannot evaluate perplexity: the text has no tokens");
        }
    }

    private static Perplexity.Result evaluate(Path path) {
        try (Model model = Model.load(path)) {
            return Perplexity.evaluate(model, text, CONTEXT, 1, KernelChoice.AUTO);
        }
    }
}
