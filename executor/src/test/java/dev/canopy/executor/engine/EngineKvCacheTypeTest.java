package dev.canopy.executor.engine;

import dev.canopy.executor.engine.offload.OffloadConfig;
import dev.canopy.executor.engine.offload.OffloadTiers;
import dev.canopy.executor.engine.offload.SwapMetrics;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.ReferenceOutputs;
import dev.canopy.executor.TestModels;
import dev.canopy.executor.kv.KvCacheType;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.offload.EvictionPolicyKind;
import dev.canopy.offload.SwapMode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The engine on the real stories260K model with an 8-bit and a 4-bit KV cache: greedy outputs mostly keep the F32
 * text; a request's sampled output depends only on its prompt, params and seed (not on batch size, order, prefix
 * cache, or forking samples from a shared prompt); and preemption by swap gives the same outputs as a run without
 * preemption, the quantized blocks moving as stored.
 */
class EngineKvCacheTypeTest {

    private static final int BLOCK_SIZE = 4;

    @TempDir
    Path spill;

    @ParameterizedTest
    @EnumSource(value = KvCacheType.class, names = {"Q8", "Q4"})
    void greedyOutputsMostlyKeepTheF32Text(KvCacheType type) {
        List<ReferenceOutputs.LlamaCpp> refs = ReferenceOutputs.llamaCpp().stream()
                .filter(r -> r.model().equals("stories260K-f32.gguf")).toList();
        EngineConfig cfg = EngineConfig.defaults(TestModels.stories260kF32()).withThreads(2).withMaxSeqs(5)
                .withKvBudgetBytes(4L << 20).withKvType(type);
        try (Engine engine = Engine.open(cfg)) {
            assertThat(engine.backend().kvType()).isEqualTo(type);
            List<GenerationRequest> reqs = new ArrayList<>();
            for (int i = 0; i < refs.size(); i++) {
                reqs.add(new GenerationRequest("g" + i, refs.get(i).prompt(), SamplingParams.greedy(64)));
            }
            List<GenerationResult> results = engine.generate(reqs);
            int matches = 0;
            for (int i = 0; i < refs.size(); i++) {
                assertThat(results.get(i).error()).isEmpty();
                assertThat(results.get(i).completionTokens()).isEqualTo(64);
                matches += (refs.get(i).prompt() + results.get(i).text()).equals(refs.get(i).text()) ? 1 : 0;
            }
            System.out.printf("KV %s: %d of %d greedy golden prompts keep the F32 text%n", type.label(), matches,
                    refs.size());
            assertThat(refs).hasSize(5);
            if (type == KvCacheType.Q8) {
                assertThat(matches).as("q8 prompts keeping the F32 text").isGreaterThanOrEqualTo(MIN_Q8_MATCHES);
            }
        }
    }

    /** Measured: 5 of 5 with Q8 KV (4-bit KV: see the report; not asserted). */
    private static final int MIN_Q8_MATCHES = 3;

    @ParameterizedTest
    @EnumSource(value = KvCacheType.class, names = {"Q8", "Q4"})
    void sampledOutputsAreIdenticalAcrossBatchSizesOrderPrefixCacheAndForks(KvCacheType type) {
        Map<String, String> alone = run(type, 1, false, false);
        assertThat(alone).hasSize(WORKLOAD);
        assertThat(run(type, 12, true, true)).isEqualTo(alone);
        assertThat(run(type, 40, true, true)).isEqualTo(alone);
        assertThat(alone.values().stream().distinct().count()).isGreaterThan(WORKLOAD / 2);
    }

    private static final int WORKLOAD = 20;

    /** The reproducibility workload, plus two requests forking 3 samples from prompts of a whole and a part block. */
    private static List<GenerationRequest> workload(Path model) {
        List<GenerationRequest> reqs = new ArrayList<>(EngineReproducibilityTest.workload().subList(0, WORKLOAD - 2));
        try (Model m = Model.load(model)) {
            String whole = null;
            String part = null;
            String p = "Once upon a time";
            for (String word : List.of(" there", " was", " a", " little", " girl", " who", " liked", " to", " play")) {
                boolean full = m.tokenizer().encode(p, true, false).length % BLOCK_SIZE == 0;
                whole = full && whole == null ? p : whole;
                part = !full && part == null ? p : part;
                p += word;
            }
            assertThat(whole).as("a prompt filling whole blocks").isNotNull();
            SamplingParams params = SamplingParams.builder().temperature(0.9).seed(77).n(3).maxTokens(20).build();
            reqs.add(new GenerationRequest("fork-whole", whole, params));
            reqs.add(new GenerationRequest("fork-part", part, params));
        }
        return reqs;
    }

    private static Map<String, String> run(KvCacheType type, int maxSeqs, boolean prefixCache, boolean shuffle) {
        List<GenerationRequest> reqs = workload(TestModels.stories260kF32());
        if (shuffle) {
            Collections.shuffle(reqs, new Random(maxSeqs));
        }
        EngineConfig cfg = EngineConfig.defaults(TestModels.stories260kF32()).withMaxSeqs(Math.max(3, maxSeqs))
                .withMaxBatchTokens(48).withPrefixCaching(prefixCache).withThreads(2).withKvBudgetBytes(4L << 20)
                .withBlockSize(BLOCK_SIZE).withKvType(type);
        Map<String, String> out = new HashMap<>();
        try (Engine engine = Engine.open(cfg)) {
            for (GenerationResult r : engine.generate(reqs)) {
                assertThat(r.error()).isEmpty();
                out.put(r.id(), r.completions().stream().map(c -> c.text() + "|" + Arrays.toString(c.tokenIds()))
                        .toList().toString());
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(value = KvCacheType.class, names = {"Q8", "Q4"})
    void swappingQuantizedBlocksGivesTheOutputsOfARunWithoutPreemption(KvCacheType type) {
        Outcome unconstrained = swapRun(type, 1L << 24, OffloadConfig.none());
        assertThat(unconstrained.metrics().preemptions()).isZero();
        long blockBytes = type.blockBytes(config(), BLOCK_SIZE);
        for (double share : new double[] {0.3, 0.1}) {
            long budget = (long) Math.ceil(unconstrained.metrics().peakBlocksInUse() * share) * blockBytes;
            OffloadConfig host = new OffloadConfig(OffloadTiers.HOST_AND_DISK, 16 * blockBytes, spill, 4L << 20,
                    SwapMode.ALWAYS_SWAP, EvictionPolicyKind.LRU);
            Outcome swapped = swapRun(type, budget, host);
            assertThat(swapped.outputs()).as(type + " at " + share).isEqualTo(unconstrained.outputs());
            assertThat(swapped.metrics().preemptions()).isPositive();
            assertThat(swapped.swaps().blocksSwappedIn()).isPositive();
            assertThat(swapped.swaps().store().tiers().getFirst().bytesIn())
                    .isEqualTo(swapped.swaps().store().tiers().getFirst().blocksIn() * blockBytes);
        }
    }

    private record Outcome(List<String> outputs, EngineMetrics metrics, SwapMetrics swaps) {}

    private static Outcome swapRun(KvCacheType type, long budget, OffloadConfig offload) {
        EngineConfig cfg = EngineConfig.defaults(TestModels.stories260kF32()).withThreads(2).withMaxSeqs(24)
                .withMaxBatchTokens(64).withBlockSize(BLOCK_SIZE).withKvBudgetBytes(budget).withOffload(offload)
                .withKvType(type);
        try (Engine engine = Engine.open(cfg)) {
            List<String> outputs = new ArrayList<>();
            for (GenerationResult r : engine.generate(EngineSwapTest.workload())) {
                assertThat(r.error()).as(r.id()).isEmpty();
                outputs.add(r.id() + "|" + r.text() + "|" + Arrays.toString(r.completions().getFirst().tokenIds()));
            }
            return new Outcome(outputs, engine.lastRunMetrics(), engine.swapMetrics().orElse(null));
        }
    }

    private static dev.canopy.executor.model.ModelConfig config() {
        try (Model m = Model.load(TestModels.stories260kF32())) {
            return m.config();
        }
    }
}
