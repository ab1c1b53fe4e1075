package dev.canopy.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.model.SyntheticModel;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.tensor.GgmlType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Greedy rows, sampled rows and rows with logprobs sharing a step each get what they get alone (logprobs included),
 * and the tokens the engine gave before a step's rows were sampled together (commit e709990); on a vocabulary big
 * enough that a step's rows are sampled on several threads too.
 */
class EngineMixedSamplingTest {

    /** Params by turns: greedy, sampled, greedy with logprobs, sampled with logprobs, sampled with penalties. */
    private static SamplingParams params(int i, int maxTokens) {
        SamplingParams.Builder p = switch (i % 5) {
            case 0 -> SamplingParams.builder().temperature(0);
            case 1 -> SamplingParams.builder().temperature(0.9).topP(0.9);
            case 2 -> SamplingParams.builder().temperature(0).logprobs(2);
            case 3 -> SamplingParams.builder().temperature(1.0).topK(20).logprobs(1);
            default -> SamplingParams.builder().temperature(0.7).repetitionPenalty(1.3).presencePenalty(0.5);
        };
        return p.seed(10 + i).maxTokens(maxTokens).build();
    }

    /** Each request's result by id. */
    private static Map<String, GenerationResult> run(EngineConfig config, List<GenerationRequest> requests) {
        Map<String, GenerationResult> out = new TreeMap<>();
        try (Engine engine = Engine.open(config)) {
            for (GenerationResult r : engine.generate(requests)) {
                assertThat(r.error()).as("error of %s", r.id()).isEmpty();
                out.put(r.id(), r);
            }
        }
        return out;
    }

    /** Each request's completions (text, token ids, finish reason, logprobs) by id. */
    private static Map<String, String> completions(Map<String, GenerationResult> results) {
        Map<String, String> out = new TreeMap<>();
        results.forEach((id, r) -> out.put(id, r.completions().stream().map(c -> c.text() + "|"
                + Arrays.toString(c.tokenIds()) + "|" + c.finishReason() + "|" + c.logprobs()).toList().toString()));
        return out;
    }

    @Test
    void greedySampledAndLogprobRowsInOneStepGetWhatEachGetsAloneAndWhatTheyGotBefore() {
        String[] openings = {"Once upon a time", "The little dog", "Sam had a big red ball", "Tom went to the park",
            "One day, a little girl named Lily"};
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            requests.add(new GenerationRequest("r" + i, openings[i % openings.length], params(i, 12)));
        }
        EngineConfig config = EngineConfig.defaults(TestModels.stories260kF32()).withThreads(2)
                .withKvBudgetBytes(8L << 20);
        Map<String, GenerationResult> together = run(config.withMaxSeqs(10), requests);
        assertThat(completions(together)).isEqualTo(completions(run(config.withMaxSeqs(1), requests)));
        Map<String, String> texts = new TreeMap<>();
        together.forEach((id, r) -> texts.put(id, r.text()));
        assertThat(texts).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "r0", ", there was a little girl named Lily. She",
                "r1", " wanted to buy a deep d",
                "r2", ". He liked to play with his ball. He",
                "r3", " with his mom. He saw that the dark was",
                "r4", " went to the park with her mom. She",
                "r5", ", there was a little girl named Lily. She",
                "r6", " was a boy who lived in a",
                "r7", ". He liked to play with his ball. He",
                "r8", " outside. He had a lem",
                "r9", " found her mommy on the stack.")));
    }

    @Test
    void aBigVocabularyStepSampledOnSeveralThreadsGetsWhatEachRowGetsAlone(@TempDir Path dir) {
        Path file = dir.resolve("vocab8k.gguf");
        SyntheticModel.write(file, new SyntheticModel.Shape(64, 1, 4, 2, 128, 8192, 256), GgmlType.F32, 9);
        List<GenerationRequest> requests = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            requests.add(GenerationRequest.ofTokens("s" + i, new int[] {1, 300 + i, 4000 + 7 * i}, params(i, 6)));
        }
        EngineConfig config = EngineConfig.defaults(file).withThreads(3).withKvBudgetBytes(8L << 20);
        assertThat(20L * 8192).as("logits of a step of all 20").isGreaterThanOrEqualTo(StepSampler.PARALLEL_MIN_LOGITS);
        Map<String, GenerationResult> together = run(config.withMaxSeqs(20), requests);
        assertThat(completions(together)).isEqualTo(completions(run(config.withMaxSeqs(1), requests)));
        int[][] before = {{358, 7097, 1836, 1635, 5683, 6313}, {6073, 3442, 1587, 2264, 7437, 3693},
            {2490, 3166, 1558, 65, 308, 3060}, {2753, 5309, 4989, 3753, 6194, 1386}, {4821, 7144, 2210, 5523, 835, 3693}};
        for (int i = 0; i < before.length; i++) {
            assertThat(together.get("s" + i).completions().get(0).tokenIds()).as("tokens of s%s", i)
                    .containsExactly(before[i]);
        }
    }
}
