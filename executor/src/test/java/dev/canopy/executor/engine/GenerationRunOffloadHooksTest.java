package dev.canopy.executor.engine;

import dev.canopy.executor.engine.offload.KvOffload;
import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.kv.BlockManagerConfig;
import dev.canopy.executor.model.CpuBackend;
import dev.canopy.executor.model.Model;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.executor.sched.Scheduler;
import dev.canopy.executor.sched.SchedulerConfig;
import dev.canopy.executor.tensor.KernelChoice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The step loop calls its offload collaborator as {@link KvOffload} documents: before each schedule, then around
 * each forward pass (before it, after it with the step's row count), and the empty-step hook only for a step that
 * ran no forward; with {@link KvOffload#NONE} the same requests give the same tokens.
 */
class GenerationRunOffloadHooksTest {

    private static final int BLOCK_SIZE = 4;
    private static final int BLOCKS = 32;

    @Test
    void theLoopCallsTheHooksAroundEveryStepAndOutputsMatchNoOffload() {
        List<String> calls = new ArrayList<>();
        List<GenerationResult> recorded = generate(new RecordingOffload(calls));
        List<GenerationResult> plain = generate(KvOffload.NONE);

        assertThat(recorded).extracting(GenerationResult::text).containsExactlyElementsOf(
                plain.stream().map(GenerationResult::text).toList());
        long forwards = calls.stream().filter(c -> c.startsWith("afterForward")).count();
        assertThat(forwards).isPositive();
        assertThat(calls).filteredOn(c -> c.equals("beforeSchedule")).hasSize((int) forwards);
        for (int i = 0; i < calls.size(); i += 3) { // each step: beforeSchedule, beforeForward, afterForward
            assertThat(calls.subList(i, i + 3)).satisfies(step -> {
                assertThat(step.get(0)).isEqualTo("beforeSchedule");
                assertThat(step.get(1)).isEqualTo("beforeForward");
                assertThat(step.get(2)).startsWith("afterForward(").doesNotContain("(0)");
            });
        }
        assertThat(calls).doesNotContain("afterEmptyStep");
    }

    private static List<GenerationResult> generate(KvOffload offload) {
        try (Model model = Model.load(TestModels.stories260kF32());
             CpuBackend cpu = new CpuBackend(model, 1, KernelChoice.JAVA, BLOCKS, BLOCK_SIZE);
             StepSampler sampler = new StepSampler(1)) {
            BlockManager blocks = new BlockManager(new BlockManagerConfig(BLOCKS, BLOCK_SIZE, true));
            Scheduler scheduler = new Scheduler(new SchedulerConfig(64, 4), blocks, offload);
            List<GenerationResult> out = new ArrayList<>();
            new GenerationRun(model.config(), model.tokenizer(), cpu, scheduler, offload, sampler,
                    (result, index) -> out.add(result), tokens -> { }, 1 << 20)
                    .run(List.of(new GenerationRequest("a", "The little dog", SamplingParams.greedy(6)),
                            new GenerationRequest("b", "Lily wanted to", SamplingParams.greedy(6))));
            return out;
        }
    }

    /** Offload off, as {@link KvOffload#NONE}, recording each hook the loop calls. */
    private static final class RecordingOffload extends KvOffload.NoKvOffload {
        private final List<String> calls;

        RecordingOffload(List<String> calls) {
            this.calls = calls;
        }

        @Override
        public void beforeSchedule(Scheduler scheduler) {
            calls.add("beforeSchedule");
        }

        @Override
        public void beforeForward(Scheduler scheduler) {
            calls.add("beforeForward");
        }

        @Override
        public void afterForward(int tokens, long nanos) {
            calls.add("afterForward(" + tokens + ")");
        }

        @Override
        public void afterEmptyStep() {
            calls.add("afterEmptyStep");
        }
    }
}
