package dev.canopy.executor.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.ReferenceOutputs;
import dev.canopy.executor.TestModels;
import dev.canopy.executor.backend.BackendKind;
import dev.canopy.executor.engine.Engine;
import dev.canopy.executor.engine.EngineConfig;
import dev.canopy.executor.engine.GenerationRequest;
import dev.canopy.executor.engine.GenerationResult;
import dev.canopy.executor.model.SyntheticModel;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.tensor.GgmlType;
import dev.canopy.executor.tensor.KernelChoice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole engine (scheduler, paged KV, sampler) on the CUDA backend: greedy completions of
 * stories260K are llama.cpp's and the CPU engine's, and sampled completions do not depend on how many
 * sequences share a step.
 */
@Tag("gpu")
class EngineOnGpuTest {

    @BeforeEach
    void needsGpu() {
        Gpu.assume();
    }

    @ParameterizedTest
    @ValueSource(strings = {"stories260K-f32.gguf", "stories260K-q8_0.gguf"})
    void greedyCompletionsAreTheCpuEnginesAndLlamaCpps(String modelFile) {
        Path path = TestModels.dir().resolve(modelFile);
        List<ReferenceOutputs.LlamaCpp> refs = ReferenceOutputs.llamaCpp().stream()
                .filter(r -> r.model().equals(modelFile)).toList();
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < refs.size(); i++) {
            requests.add(new GenerationRequest("r" + i, refs.get(i).prompt(), SamplingParams.greedy(64)));
        }
        EngineConfig config = EngineConfig.defaults(path).withMaxSeqs(8).withThreads(2).withKvBudgetBytes(8L << 20)
                .withKernels(KernelChoice.JAVA); // the CPU backend the GPU's float arithmetic is compared with
        // fp32 on CUDA cores: tensor cores (the engine's default) stay within 1e-3 but may flip a near tie
        Map<String, String> onGpu = texts(config.withBackend(BackendKind.CUDA).withGpu(new GpuSettings(false, false)),
                requests, "cuda:0");
        assertThat(onGpu).as("GPU engine vs CPU engine").isEqualTo(texts(config.withBackend(BackendKind.CPU), requests,
                "cpu"));
        if (modelFile.endsWith("f32.gguf")) {
            for (int i = 0; i < refs.size(); i++) {
                assertThat(refs.get(i).prompt() + onGpu.get("r" + i)).as(refs.get(i).prompt())
                        .isEqualTo(refs.get(i).text() + "|LENGTH|64");
            }
        }
    }

    @Test
    void sampledCompletionsAreTheSameOneOrSixteenSequencesAStep() {
        String[] openings = {"Once upon a time", "The little dog", "Tom and his mom went to the park",
            "Sam had a big red ball", "One day, a little girl named Lily"};
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            SamplingParams p = SamplingParams.builder().temperature(0.8).topP(0.9).seed(500 + i).maxTokens(24 + i)
                    .build();
            requests.add(new GenerationRequest("s" + i, openings[i % openings.length], p));
        }
        EngineConfig config = EngineConfig.defaults(TestModels.stories260kF32()).withBackend(BackendKind.CUDA)
                .withMaxBatchTokens(64).withKvBudgetBytes(8L << 20);
        Map<String, String> alone = texts(config.withMaxSeqs(1), requests, "cuda:0");
        assertThat(texts(config.withMaxSeqs(16), requests, "cuda:0")).isEqualTo(alone);
        assertThat(alone.values().stream().distinct().count()).as("distinct samples").isGreaterThan(6);
    }

    @Test
    void sharedPrefixAttentionRunsOnlyWhenTheEngineConfigAsksForIt(@TempDir Path dir) {
        Path file = dir.resolve("heads64.gguf"); // heads 64 wide, as the shared-prefix kernel needs
        SyntheticModel.write(file, new SyntheticModel.Shape(256, 2, 4, 2, 512, 300, 256), GgmlType.Q8_0, 41);
        SharedPrefixWorkload workload = new SharedPrefixWorkload(2, 8, 64, 8, 8);
        EngineConfig config = EngineConfig.defaults(file).withBackend(BackendKind.CUDA).withMaxSeqs(16)
                .withKvBudgetBytes(8L << 20);
        assertThat(groupedSteps(config, workload)).as("steps in shared-prefix groups by default").isZero();
        assertThat(groupedSteps(config.withGpu(GpuSettings.defaults().withSharedPrefixAttention(true)), workload))
                .as("steps in shared-prefix groups when asked for").isPositive();
    }

    /** Steps that attended in shared-prefix groups while the workload ran, its prefixes cached first. */
    private static long groupedSteps(EngineConfig config, SharedPrefixWorkload workload) {
        try (Engine engine = Engine.open(config)) {
            List<GenerationRequest> requests = workload.requests(engine.model().config().vocab(), 7);
            List<GenerationRequest> prefixes = new ArrayList<>();
            for (int g = 0; g < workload.groups(); g++) {
                int[] prompt = requests.get(g * workload.prompts()).promptTokens();
                prefixes.add(GenerationRequest.ofTokens("prefix" + g, Arrays.copyOf(prompt, workload.prefix()),
                        SamplingParams.greedy(1)));
            }
            engine.generate(prefixes);
            for (GenerationResult r : engine.generate(requests)) {
                assertThat(r.error()).as("error of %s", r.id()).isEmpty();
            }
            return ((CudaBackend) engine.backend()).sharedPrefixSteps();
        }
    }

    /** Each request's "text|finish reason|completion tokens" by id, from an engine that must run on {@code backendName}. */
    private static Map<String, String> texts(EngineConfig config, List<GenerationRequest> requests, String backendName) {
        Map<String, String> out = new HashMap<>();
        try (Engine engine = Engine.open(config)) {
            assertThat(engine.backend().name()).isEqualTo(backendName);
            for (GenerationResult r : engine.generate(requests)) {
                assertThat(r.error()).as("error of %s", r.id()).isEmpty();
                out.put(r.id(), r.text() + "|" + r.finishReason() + "|" + r.completionTokens());
            }
        }
        return out;
    }
}
