package dev.canopy.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.ArchGoldens;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.tensor.KernelChoice;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every architecture through the whole engine: llama.cpp's greedy ids for each prompt alone, and
 * batched with the other prompts (each twice, so the second copy starts from cached blocks) in a
 * shuffled order with the prefix cache on and off; and sampled outputs that depend only on the
 * request, not on batch size, order or prefix cache. Blocks of 4 tokens make the window of the
 * sliding-window models (8) span several blocks.
 */
class ArchEngineTest {

    static Stream<Arguments> modelsAndKernels() {
        return ArchGoldens.F32_MODELS.stream()
                .flatMap(m -> Stream.of(Arguments.of(m, KernelChoice.JAVA), Arguments.of(m, KernelChoice.NATIVE)));
    }

    private static EngineConfig config(String stem, KernelChoice kernels, int maxSeqs, boolean prefixCache) {
        return EngineConfig.defaults(ArchGoldens.model(stem)).withKernels(kernels).withMaxSeqs(maxSeqs)
                .withMaxBatchTokens(24).withPrefixCaching(prefixCache).withThreads(2).withKvBudgetBytes(4L << 20)
                .withBlockSize(4);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndKernels")
    void greedyIdsMatchLlamaCppAloneAndInShuffledBatchesWithAndWithoutPrefixCache(String stem, KernelChoice kernels) {
        List<ArchGoldens.Generation> refs = ArchGoldens.generations(stem);
        for (ArchGoldens.Generation ref : refs) {
            try (Engine engine = Engine.open(config(stem, kernels, 1, false))) {
                GenerationResult r = engine.generate(List.of(request("alone", ref))).getFirst();
                assertThat(r.error()).isEmpty();
                assertThat(r.completions().getFirst().tokenIds()).as("%s alone: %s", stem, ref.prompt())
                        .containsExactly(ref.generatedTokens());
            }
        }
        for (boolean prefixCache : new boolean[] {true, false}) {
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int copy = 0; copy < 2; copy++) {
                for (int i = 0; i < refs.size(); i++) {
                    reqs.add(request(i + "/" + copy, refs.get(i)));
                }
            }
            Collections.shuffle(reqs, new Random(prefixCache ? 1 : 2));
            try (Engine engine = Engine.open(config(stem, kernels, 6, prefixCache))) {
                List<GenerationResult> results = engine.generate(reqs);
                int cached = results.stream().mapToInt(GenerationResult::cachedPromptTokens).sum();
                if (prefixCache) { // the second copy of each prompt of 5+ tokens starts from a cached block
                    assertThat(cached).as("%s cached prompt tokens", stem).isPositive();
                } else {
                    assertThat(cached).isZero();
                }
                for (GenerationResult r : results) {
                    assertThat(r.error()).isEmpty();
                    ArchGoldens.Generation ref = refs.get(Integer.parseInt(r.id().substring(0, r.id().indexOf('/'))));
                    assertThat(r.completions().getFirst().tokenIds())
                            .as("%s batched, prefix cache %s: %s", stem, prefixCache, ref.prompt())
                            .containsExactly(ref.generatedTokens());
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("modelsAndKernels")
    void sampledOutputsAreIdenticalAcrossBatchSizesOrderAndPrefixCache(String stem, KernelChoice kernels) {
        Map<String, String> reference = sampled(stem, kernels, 1, false, false);
        assertThat(sampled(stem, kernels, 5, true, true)).isEqualTo(reference);
        assertThat(sampled(stem, kernels, 16, false, true)).isEqualTo(reference);
        // Sampling really happened: different seeds of one prompt do not all agree.
        assertThat(reference.values().stream().distinct().count()).isGreaterThan(8);
    }

    private static Map<String, String> sampled(String stem, KernelChoice kernels, int maxSeqs, boolean prefixCache,
                                               boolean shuffle) {
        List<ArchGoldens.Generation> refs = ArchGoldens.generations(stem);
        List<GenerationRequest> reqs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            SamplingParams p = SamplingParams.builder().temperature(0.8).topP(0.9).seed(1000 + i).maxTokens(20 + i)
                    .build();
            reqs.add(GenerationRequest.ofTokens("s" + i, refs.get(i % refs.size()).promptTokens(), p));
        }
        if (shuffle) {
            Collections.shuffle(reqs, new Random(maxSeqs));
        }
        Map<String, String> out = new HashMap<>();
        try (Engine engine = Engine.open(config(stem, kernels, maxSeqs, prefixCache))) {
            for (GenerationResult r : engine.generate(reqs)) {
                assertThat(r.error()).isEmpty();
                out.put(r.id(), java.util.Arrays.toString(r.completions().getFirst().tokenIds()));
            }
        }
        return out;
    }

    private static GenerationRequest request(String id, ArchGoldens.Generation ref) {
        return GenerationRequest.ofTokens(id, ref.promptTokens(), SamplingParams.greedy(ref.generatedTokens().length));
    }
}
