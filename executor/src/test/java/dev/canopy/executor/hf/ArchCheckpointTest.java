package dev.canopy.executor.hf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.ArchGoldens;
import dev.canopy.executor.engine.Completion;
import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufTensorData;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.model.ModelQuantizer;
import dev.canopy.executor.model.QuantScheme;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.tensor.Dequant;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.Quantizer;
import dev.canopy.executor.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each architecture's tiny model of {@code ../shared/models/arch/}, written as the Hugging Face
 * checkpoint transformers would save (per-expert tensors, HF Q/K order, Gemma's norms, config.json,
 * tokenizer.json), opens as a checkpoint directory and generates llama.cpp's greedy tokens for the
 * goldens' prompts, and the same tokens as the original GGUF, greedy and sampled with a seed.
 */
class ArchCheckpointTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"qwen3-tiny-f32", "gemma3-tiny-f32", "qwen3moe-tiny-f32", "llama-moe-tiny-f32",
        "gemma2-tiny-f32", "phi3-tiny-f32", "gpt-oss-tiny-f32"})
    void theCheckpointGeneratesTheGgufsTokens(String stem) throws IOException {
        Path dir = tmp.resolve(stem + "-hf");
        CheckpointFromGguf.write(ArchGoldens.model(stem), dir);
        Path converted = HfCheckpointCache.gguf(dir, tmp.resolve("cache"));
        List<ArchGoldens.Generation> goldens = ArchGoldens.generations(stem);

        List<List<int[]>> fromCheckpoint = generate(converted, goldens);
        for (int r = 0; r < goldens.size(); r++) {
            assertThat(fromCheckpoint.get(2 * r).getFirst()).as("%s greedy for '%s' vs llama.cpp", stem,
                    goldens.get(r).prompt()).containsExactly(goldens.get(r).generatedTokens());
        }
        assertSameTokens(fromCheckpoint, generate(ArchGoldens.model(stem), goldens), stem);
    }

    /**
     * gpt-oss as released, its experts MXFP4 (quantized here from the tiny model by ggml's encoder and packed as
     * transformers stores them), converts to exactly the expert tensors of the GGUF whose experts that encoder
     * quantized, and generates that GGUF's tokens, greedy and sampled with a seed.
     */
    @Test
    void gptOssMxfp4ExpertsGiveTheTokensOfTheGgufWithMxfp4Experts() throws IOException {
        Path original = ArchGoldens.model("gpt-oss-tiny-f32");
        Path dir = tmp.resolve("gpt-oss-mxfp4-hf");
        CheckpointFromGguf.write(original, dir, true);
        Path converted = HfCheckpointCache.gguf(dir, tmp.resolve("cache"));
        Path mxfp4 = tmp.resolve("gpt-oss-mxfp4.gguf");
        try (GgufFile f = GgufFile.open(original)) {
            GgufWriter writer = new GgufWriter(mxfp4).putAll(f.metadata());
            for (String name : f.tensorInfos().keySet()) {
                Tensor t = f.tensor(name);
                boolean experts = name.endsWith("_exps.weight");
                writer.addTensor(name, experts ? GgmlType.MXFP4 : t.type(), t.shape(), experts
                        ? GgufTensorData.of(Quantizer.quantize(GgmlType.MXFP4, Dequant.toFloats(t)))
                        : GgufTensorData.of(t.data()));
            }
            writer.write();
        }
        try (GgufFile expected = GgufFile.open(mxfp4); GgufFile actual = GgufFile.open(converted)) {
            for (String name : expected.tensorInfos().keySet().stream().filter(n -> n.endsWith("_exps.weight")).toList()) {
                assertThat(actual.tensor(name).type()).as(name).isEqualTo(GgmlType.MXFP4);
                assertThat(actual.tensor(name).data().mismatch(expected.tensor(name).data())).as(name).isEqualTo(-1L);
            }
        }
        List<ArchGoldens.Generation> goldens = ArchGoldens.generations("gpt-oss-tiny-f32");
        assertSameTokens(generate(converted, goldens), generate(mxfp4, goldens), "gpt-oss MXFP4");
    }

    private static void assertSameTokens(List<List<int[]>> actual, List<List<int[]>> expected, String label) {
        for (int r = 0; r < expected.size(); r++) {
            for (int c = 0; c < expected.get(r).size(); c++) {
                assertThat(actual.get(r).get(c)).as("%s request %d completion %d", label, r, c)
                        .containsExactly(expected.get(r).get(c));
            }
        }
    }

    /**
     * Quantizing while converting (one pass) writes exactly the tensors {@code canopy quantize} writes from the
     * unquantized conversion (two passes), stacked experts included.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama-moe-tiny-f32", "qwen3moe-tiny-f32", "gemma3-tiny-f32", "gpt-oss-tiny-f32"})
    void quantizingAtLoadWritesTheTensorsOfQuantizingTheConvertedGguf(String stem) throws IOException {
        Path dir = tmp.resolve(stem + "-hf");
        CheckpointFromGguf.write(ArchGoldens.model(stem), dir);
        Path converted = tmp.resolve(stem + ".gguf");
        HfToGguf.convert(dir, converted, Optional.empty());
        Path twoPasses = tmp.resolve(stem + "-q4_k_m.gguf");
        ModelQuantizer.quantize(converted, twoPasses, QuantScheme.Q4_K_M);

        Path onePass = CheckpointLoadOptions.defaults().withCacheDir(tmp.resolve("cache"))
                .withQuantize(QuantScheme.Q4_K_M).gguf(dir);

        try (GgufFile expected = GgufFile.open(twoPasses); GgufFile actual = GgufFile.open(onePass)) {
            assertThat(actual.tensorInfos().keySet()).containsExactlyInAnyOrderElementsOf(expected.tensorInfos().keySet());
            for (String name : expected.tensorInfos().keySet()) {
                Tensor want = expected.tensor(name);
                Tensor got = actual.tensor(name);
                assertThat(got.type()).as(name).isEqualTo(want.type());
                assertThat(got.data().mismatch(want.data())).as("%s: first differing byte", name).isEqualTo(-1L);
            }
            assertThat(actual.metadata().getInt("general.file_type", 0)).isEqualTo(QuantScheme.Q4_K_M.fileType());
        }
    }

    /** Per golden prompt (as text, so the checkpoint's tokenizer is used), 32 greedy tokens, then two seeded samples. */
    private static List<List<int[]>> generate(Path model, List<ArchGoldens.Generation> goldens) {
        SamplingParams greedy = SamplingParams.greedy(32).toBuilder().ignoreEos(true).build();
        SamplingParams sampled = SamplingParams.builder().temperature(0.9).topP(0.95).seed(7).n(2).maxTokens(24)
                .ignoreEos(true).build();
        List<GenerationRequest> requests = new ArrayList<>();
        for (ArchGoldens.Generation g : goldens) {
            requests.add(new GenerationRequest("g-" + g.prompt(), g.prompt(), greedy));
            requests.add(new GenerationRequest("s-" + g.prompt(), g.prompt(), sampled));
        }
        try (Engine engine = Engine.open(EngineConfig.defaults(model).withThreads(2).withKvBudgetBytes(8L << 20)
                .withBlockSize(8))) {
            return engine.generate(requests).stream().map(GenerationResult::completions)
                    .map(cs -> cs.stream().map(Completion::tokenIds).toList()).toList();
        }
    }
}
