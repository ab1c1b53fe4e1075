package dev.canopy.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.sample.SamplingParams;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A request's sampled output depends only on its prompt, params and seed: not on how many
 * sequences run together, the order of the input, or whether its prefix came from the cache.
 */
class EngineReproducibilityTest {

    private static final String[] OPENINGS = {"Once upon a time", "One day, a little girl named Lily",
        "Tom and his mom went to the park", "The little dog", "Sam had a big red ball"};

    static List<GenerationRequest> workload() {
        List<GenerationRequest> reqs = new ArrayList<>();
        Random rnd = new Random(7);
        for (int i = 0; i < 64; i++) {
            String prompt = OPENINGS[i % OPENINGS.length] + (i % 3 == 0 ? "" : " and " + (char) ('a' + rnd.nextInt(26)));
            SamplingParams p = SamplingParams.builder().temperature(0.8).topP(0.9).seed(1000 + i)
                    .maxTokens(24 + rnd.nextInt(24)).build();
            reqs.add(new GenerationRequest("q" + i, prompt, p));
        }
        return reqs;
    }

    private static Map<String, String> run(int maxSeqs, boolean prefixCache, boolean shuffle) {
        List<GenerationRequest> reqs = workload();
        if (shuffle) {
            Collections.shuffle(reqs, new Random(maxSeqs * 31L + (prefixCache ? 1 : 0)));
        }
        EngineConfig cfg = EngineConfig.defaults(TestModels.stories260kF32()).withMaxSeqs(maxSeqs)
                .withMaxBatchTokens(48).withPrefixCaching(prefixCache).withThreads(2).withKvBudgetBytes(8L << 20)
                .withBlockSize(4);
        Map<String, String> out = new HashMap<>();
        try (Engine engine = Engine.open(cfg)) {
            for (GenerationResult r : engine.generate(reqs)) {
                assertThat(r.error()).isEmpty();
                out.put(r.id(), r.text() + "|" + r.finishReason() + "|" + r.completionTokens());
            }
        }
        return out;
    }

    @Test
    void sampledOutputsAreIdenticalAcrossBatchSizesOrderAndPrefixCache() {
        Map<String, String> reference = run(1, false, false);
        assertThat(reference).hasSize(64);
        assertThat(run(7, true, true)).isEqualTo(reference);
        assertThat(run(64, true, true)).isEqualTo(reference);
        assertThat(run(64, false, true)).isEqualTo(reference);
        // Sampling really happened: different seeds of one prompt do not all agree.
        assertThat(reference.values().stream().distinct().count()).isGreaterThan(32);
    }
}
