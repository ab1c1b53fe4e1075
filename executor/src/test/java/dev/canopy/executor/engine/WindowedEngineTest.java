package dev.canopy.executor.engine;

import dev.canopy.executor.engine.offload.OffloadConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.ArchGoldens;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.tensor.KernelChoice;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Through the engine, a sliding-window model's local layers keep their KV in a pool of their own that holds each
 * sequence's window: the same KV budget then holds generations the one-pool cache cannot, with the same tokens.
 * ({@code ArchEngineTest} runs the goldens through this path too: F32 cache, no offload.)
 */
class WindowedEngineTest {

    private static final int BLOCK_SIZE = 4;
    private static final int UNFREED_BLOCKS = 40; // 160 tokens of every layer

    private static EngineConfig config(String stem, boolean prefixCaching) {
        return EngineConfig.defaults(ArchGoldens.model(stem)).withKernels(KernelChoice.JAVA).withMaxSeqs(2)
                .withMaxBatchTokens(24).withPrefixCaching(prefixCaching).withThreads(2).withBlockSize(BLOCK_SIZE);
    }

    private static List<GenerationRequest> longRequests(String stem) {
        SamplingParams params = SamplingParams.builder().temperature(0).maxTokens(200).ignoreEos(true).build();
        List<ArchGoldens.Generation> refs = ArchGoldens.generations(stem);
        return List.of(GenerationRequest.ofTokens("a", refs.get(0).promptTokens(), params),
                GenerationRequest.ofTokens("b", refs.get(1).promptTokens(), params));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gemma2-tiny-f32", "gemma3-tiny-f32", "gpt-oss-tiny-f32"})
    void twoLongGenerationsFitABudgetTheOnePoolCacheCannotHoldWithUnchangedTokens(String stem) throws Exception {
        List<GenerationRequest> requests = longRequests(stem);
        List<int[]> unfreed;
        Model model = Model.load(ArchGoldens.model(stem));
        try (Engine plain = new Engine(config(stem, false), model, // one pool, room for everything; owns the model
                new CpuBackend(model, 2, KernelChoice.JAVA, 512, BLOCK_SIZE))) {
            unfreed = plain.generate(requests).stream().map(r -> r.completions().getFirst().tokenIds()).toList();
        }
        for (boolean prefixCaching : new boolean[] {true, false}) {
            long budget = KvCacheType.F32.blockBytes(loadConfig(stem), BLOCK_SIZE) * UNFREED_BLOCKS;
            try (Engine engine = Engine.open(config(stem, prefixCaching).withKvBudgetBytes(budget))) {
                assertThat(engine.backend().numLocalBlocks()).isEqualTo(UNFREED_BLOCKS / 2);
                assertThat(engine.backend().numBlocks()).as("global blocks from the same budget")
                        .isGreaterThan(UNFREED_BLOCKS);
                List<GenerationResult> results = engine.generate(requests);
                for (int i = 0; i < results.size(); i++) {
                    GenerationResult r = results.get(i);
                    assertThat(r.error()).isEmpty();
                    int[] tokens = r.completions().getFirst().tokenIds();
                    assertThat(tokens).as("%s %s, prefix cache %s", stem, r.id(), prefixCaching)
                            .hasSize(200).containsExactly(unfreed.get(i));
                    assertThat(Arrays.copyOf(tokens, 32)).as("llama.cpp's greedy tokens")
                            .containsExactly(ArchGoldens.generations(stem).get(i).generatedTokens());
                }
                assertThat(2 * (requests.get(0).promptTokens().length + 200))
                        .as("tokens of the two sequences beyond the one-pool cache").isGreaterThan(UNFREED_BLOCKS * 4);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"gemma3-tiny-f32"})
    void offloadIsRefusedOnABackendWithALocalPool(String stem) throws Exception {
        try (Model model = Model.load(ArchGoldens.model(stem));
             CpuBackend backend = CpuBackend.windowed(model, 2, KernelChoice.JAVA, 64, 8, BLOCK_SIZE)) {
            EngineConfig offload = config(stem, true).withOffload(OffloadConfig.host(1L << 20));
            assertThatThrownBy(() -> new Engine(offload, model, backend))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("turn offload off");
        }
    }

    private static dev.canopy.executor.model.ModelConfig loadConfig(String stem) {
        try (Model model = Model.load(ArchGoldens.model(stem))) {
            return model.config();
        }
    }
}
