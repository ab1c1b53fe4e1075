package dev.canopy.executor.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufTensorInfo;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.KernelChoice;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Quantized copies of a small synthetic model: the types llama.cpp would pick, fallbacks, and that they run. */
class ModelQuantizerTest {

    private static final SyntheticModel.Shape SHAPE = new SyntheticModel.Shape(256, 8, 4, 2, 512, 600, 256);

    @TempDir
    static Path dir;
    private static Path f32;

    @BeforeAll
    static void writeModel() {
        f32 = dir.resolve("synthetic-f32.gguf");
        SyntheticModel.write(f32, SHAPE, GgmlType.F32, 7);
    }

    @Test
    void q4KMixTakesQ6KForTheOutputAndLlamaCppsAttnVAndFfnDownLayers() {
        Path out = dir.resolve("q4km.gguf");
        ModelQuantizer.Report report = ModelQuantizer.quantize(f32, out, QuantScheme.Q4_K_M);
        assertThat(report.fallbacks()).isEmpty();
        Map<String, GgmlType> types = types(out);
        assertThat(types.get("output.weight")).isEqualTo(GgmlType.Q6_K);
        assertThat(types.get("token_embd.weight")).isEqualTo(GgmlType.Q4_K);
        assertThat(types.get("blk.0.attn_norm.weight")).isEqualTo(GgmlType.F32);
        // use_more_bits over 8 layers: layers 0 (first eighth), 7 (last eighth), 3 and 6 (every third)
        for (int layer = 0; layer < 8; layer++) {
            GgmlType expected = List.of(0, 3, 6, 7).contains(layer) ? GgmlType.Q6_K : GgmlType.Q4_K;
            assertThat(types.get("blk." + layer + ".attn_v.weight")).as("attn_v %d", layer).isEqualTo(expected);
            assertThat(types.get("blk." + layer + ".ffn_down.weight")).as("ffn_down %d", layer).isEqualTo(expected);
            assertThat(types.get("blk." + layer + ".attn_q.weight")).isEqualTo(GgmlType.Q4_K);
        }
        try (GgufFile file = GgufFile.open(out)) {
            assertThat(file.metadata().getLong("general.file_type")).isEqualTo(15);
            assertThat(file.metadata().getString("general.name")).startsWith("synthetic-llama");
        }
        assertThat(report.outputTensorBytes()).isLessThan(report.inputTensorBytes() / 6);
    }

    @Test
    void aQ4KFileLoadsAndGeneratesLikeTheF32Model() {
        Path q4k = dir.resolve("q4k.gguf");
        ModelQuantizer.quantize(f32, q4k, QuantScheme.Q4_K);
        assertThat(types(q4k).values()).contains(GgmlType.Q4_K, GgmlType.Q6_K);
        List<GenerationRequest> prompts = List.of(
                new GenerationRequest("a", "hello world", SamplingParams.greedy(12)),
                new GenerationRequest("b", "the quick brown fox", SamplingParams.greedy(12)));
        List<GenerationResult> quantized = generate(q4k, prompts);
        assertThat(quantized).allSatisfy(r -> assertThat(r.completionTokens()).isEqualTo(12));
        Path q8_0 = dir.resolve("q8_0.gguf");
        ModelQuantizer.quantize(f32, q8_0, QuantScheme.Q8_0);
        float[] expected = lastLogits(f32);
        // random weights through 8 layers compound the error (Q4_0 gives 0.97-0.98 here too)
        assertThat(cosine(lastLogits(q8_0), expected)).as("cosine of the Q8_0 and F32 logits").isGreaterThan(0.999);
        assertThat(cosine(lastLogits(q4k), expected)).as("cosine of the Q4_K and F32 logits").isGreaterThan(0.95);
    }

    private static List<GenerationResult> generate(Path model, List<GenerationRequest> prompts) {
        try (Engine engine = Engine.open(EngineConfig.defaults(model).withThreads(2).withKvBudgetBytes(8L << 20))) {
            return engine.generate(prompts);
        }
    }

    private static float[] lastLogits(Path path) {
        try (Model model = Model.load(path)) {
            return lastLogits(model);
        }
    }

    private static float[] lastLogits(Model model) {
        int[] tokens = model.tokenizer().encode("the quick brown fox jumps", true, false);
        try (CpuBackend backend = new CpuBackend(model, 2, KernelChoice.AUTO, 4, 16)) {
            return backend.forward(ForwardBatch.ofSequence(tokens, 0, new int[] {0, 1, 2, 3}));
        }
    }

    private static Map<String, GgmlType> types(Path path) {
        Map<String, GgmlType> types = new LinkedHashMap<>();
        try (GgufFile file = GgufFile.open(path)) {
            for (GgufTensorInfo info : file.tensorInfos().values()) {
                types.put(info.name(), info.type());
            }
        }
        return types;
    }

    private static double cosine(float[] a, float[] b) {
        double ab = 0, aa = 0, bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (double) a[i] * b[i];
            aa += (double) a[i] * a[i];
            bb += (double) b[i] * b[i];
        }
        return ab / Math.sqrt(aa * bb);
    }
}
