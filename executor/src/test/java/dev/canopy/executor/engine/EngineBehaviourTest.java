package dev.canopy.executor.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sched.FinishReason;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EngineBehaviourTest {

    private static Engine engine;

    @BeforeAll
    static void open() {
        engine = Engine.open(EngineConfig.defaults(TestModels.stories260kF32()).withThreads(2)
                .withKvBudgetBytes(4L << 20).withBlockSize(8));
    }

    @AfterAll
    static void close() {
        engine.close();
    }

    @Test
    void anOversizedOrEmptyPromptFailsAloneWhileTheOthersComplete() {
        String huge = "Once upon a time ".repeat(200); // far over the 512-token context
        List<GenerationResult> rs = engine.generate(List.of(
                new GenerationRequest("ok1", "The little dog", SamplingParams.greedy(8)),
                new GenerationRequest("big", huge, SamplingParams.greedy(8)),
                new GenerationRequest("empty", "", SamplingParams.greedy(8)),
                new GenerationRequest("ok2", "Lily wanted to", SamplingParams.greedy(8))));
        assertThat(rs.get(0).completionTokens()).isEqualTo(8);
        assertThat(rs.get(1).finishReason()).isEqualTo(FinishReason.ERROR);
        assertThat(rs.get(1).error()).get().asString().contains("context holds 512");
        assertThat(rs.get(2).error()).get().asString().contains("prompt is empty");
        assertThat(rs.get(3).text()).isEqualTo(" go on a walk."); // the first 8 tokens of the reference
    }

    @Test
    void generatedTokensAreReportedStepByStepBeforeAnyRequestFinishes() {
        SamplingParams p = SamplingParams.builder().temperature(0).maxTokens(6).ignoreEos(true).build();
        List<Integer> tokensPerStep = new ArrayList<>();
        List<Integer> tokensReportedBeforeEachResult = new ArrayList<>();
        engine.generate(List.of(new GenerationRequest("a", "The little dog", p),
                        new GenerationRequest("b", "Lily wanted to", p)),
                result -> tokensReportedBeforeEachResult.add(tokensPerStep.stream().mapToInt(n -> n).sum()),
                tokensPerStep::add);

        assertThat(tokensPerStep).hasSizeGreaterThanOrEqualTo(6).allMatch(n -> n >= 1 && n <= 2);
        assertThat(tokensPerStep.stream().mapToInt(n -> n).sum()).isEqualTo(12)
                .isEqualTo((int) engine.lastRunMetrics().generatedTokens());
        // both finish in the last step; the 5 steps before it had reported their 10 tokens already
        assertThat(tokensReportedBeforeEachResult).containsExactly(10, 10);
    }

    @Test
    void aStopStringCutsTheTextAndFinishesWithStop() {
        SamplingParams p = SamplingParams.builder().temperature(0).maxTokens(64).stop(List.of("Lily")).build();
        GenerationResult r = engine.generate(List.of(new GenerationRequest("s", "Once upon a time", p))).get(0);
        assertThat(r.text()).isEqualTo(", there was a little girl named ");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void severalSamplesOfOnePromptShareItsPrefillAndDiffer() {
        SamplingParams p = SamplingParams.builder().temperature(1.0).seed(5).n(4).maxTokens(16).build();
        GenerationResult r = engine.generate(List.of(new GenerationRequest("n", "Once upon a time", p))).get(0);
        assertThat(r.completions()).hasSize(4);
        assertThat(r.completions().stream().map(Completion::text).distinct().count()).isGreaterThan(1);
        assertThat(r.completionTokens()).isEqualTo(64);
        GenerationResult again = engine.generate(List.of(new GenerationRequest("n", "Once upon a time", p))).get(0);
        assertThat(again.completions().stream().map(Completion::text).toList())
                .isEqualTo(r.completions().stream().map(Completion::text).toList());
    }

    @Test
    void logprobsAreReportedForEachTokenWhenAsked() {
        SamplingParams p = SamplingParams.builder().temperature(0).maxTokens(5).logprobs(3).build();
        GenerationResult r = engine.generate(List.of(new GenerationRequest("l", "The little dog", p))).get(0);
        Completion c = r.completions().get(0);
        assertThat(c.logprobs()).hasSize(5);
        assertThat(c.logprobs().get(0).topLogprobs()).hasSize(3);
        assertThat(c.logprobs().get(0).logprob().getAsDouble()).isLessThanOrEqualTo(0.0);
    }

    @Test
    void aRepeatedPromptReusesCachedPrefixBlocks() {
        String prompt = "Once upon a time, there was a little girl named Lily. She loved to play outside";
        engine.generate(List.of(new GenerationRequest("a", prompt, SamplingParams.greedy(4))));
        GenerationResult second = engine.generate(List.of(new GenerationRequest("b", prompt, SamplingParams.greedy(4)))).get(0);
        assertThat(second.cachedPromptTokens()).isGreaterThanOrEqualTo(8);
        assertThat(engine.lastRunMetrics().prefixSaving()).isGreaterThan(0.3);
    }
}
