package dev.canopy.executor.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.kv.BlockManagerConfig;
import dev.canopy.executor.sample.SamplingParams;
import dev.canopy.prefixtree.BatchPlanner;
import dev.canopy.prefixtree.CostModel;
import dev.canopy.prefixtree.EngineLimits;
import dev.canopy.prefixtree.HardwareProfile;
import dev.canopy.prefixtree.ModelShape;
import dev.canopy.prefixtree.Plan;
import dev.canopy.prefixtree.PlanPolicy;
import dev.canopy.prefixtree.PlanSimulator;
import dev.canopy.prefixtree.PrefillPacing;
import dev.canopy.prefixtree.Request;
import dev.canopy.prefixtree.SimulationResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The planner's simulator and the real scheduler (driven without a model: every sampled token is made up) run the
 * same requests in the same order through the same pool, and take the same steps, admit in the same order, preempt
 * as often and hold as many blocks at their peak: both apply {@link dev.canopy.prefixtree.AdmissionRule}.
 */
class SchedulerMatchesSimulatorTest {

    private static final int BLOCK = 4;
    /** 2 layers, hidden 8, 1 KV head of 4: 32 KV bytes a token (the costs do not matter here, only the pool size). */
    private static final ModelShape TINY = new ModelShape(2, 8, 2, 1, 4, 16, 10, 2.0, 2.0);

    @Test
    void sharedPrefixesAndASmallPoolGiveTheSameRunInBoth() {
        int[] p = {1, 2, 3, 4, 5, 6, 7, 8}; // two full blocks several prompts share
        List<Request> requests = List.of(
                request(0, concat(p, 11, 12, 13), 9),
                request(1, concat(p, 21, 22, 23, 24, 25), 6),
                request(2, new int[] {31, 32, 33, 34, 35, 36}, 10),
                request(3, concat(p, 41, 42), 8),
                request(4, new int[] {51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61}, 5));
        Run real = runScheduler(requests, 10, 12, 3);
        Run simulated = runSimulator(requests, 10, 12, 3);

        assertThat(real.preemptions).as("the pool is small enough to force preemption").isPositive();
        assertThat(simulated).isEqualTo(real);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
    void randomWorkloadsGiveTheSameRunInBoth(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] prefixes = {range(100, 1 + random.nextInt(12)), range(200, 1 + random.nextInt(12))};
        List<Request> requests = new ArrayList<>();
        for (int r = 0; r < 4 + random.nextInt(10); r++) {
            int[] own = range(1000 + 100 * r, random.nextInt(9));
            int[] prompt = random.nextInt(4) == 0 ? concat(own, 99) : concat(concat(prefixes[random.nextInt(2)], own), 99);
            requests.add(request(r, prompt, 1 + random.nextInt(14)));
        }
        assertSameRun(requests, random);
    }

    /** Prompts share a short opening, then groups of them a longer document: blocks chains shared at two depths. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10})
    void documentsBehindACommonOpeningGiveTheSameRunInBoth(int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] opening = range(100, 1 + random.nextInt(6));
        int[][] documents = {range(200, 4 + random.nextInt(20)), range(300, 4 + random.nextInt(20)),
            range(400, 4 + random.nextInt(20))};
        List<Request> requests = new ArrayList<>();
        for (int r = 0; r < 6 + random.nextInt(10); r++) {
            int[] own = range(1000 + 100 * r, random.nextInt(5));
            int[] prompt = concat(concat(concat(opening, documents[random.nextInt(3)]), own), 99);
            requests.add(request(r, prompt, 1 + random.nextInt(10)));
        }
        assertSameRun(requests, random);
    }

    /** Runs {@code requests} through both with a random pool (from about enough for the largest to all) and limits. */
    private static void assertSameRun(List<Request> requests, SplittableRandom random) {
        int maxLife = 0;
        int jobBlocks = 0;
        int plannable = 0; // the planner wants room for the prompt and all the output tokens
        for (Request request : requests) {
            int life = (request.promptLength() + request.maxTokens() - 1 + BLOCK - 1) / BLOCK;
            maxLife = Math.max(maxLife, life);
            jobBlocks += life;
            plannable = Math.max(plannable, (request.promptLength() + request.maxTokens() + BLOCK - 1) / BLOCK);
        }
        int numBlocks = Math.max(plannable, Math.min(jobBlocks, maxLife + random.nextInt(maxLife + 1)));
        int maxSeqs = 1 + random.nextInt(4);
        int maxBatchTokens = maxSeqs + random.nextInt(16);

        assertThat(runSimulator(requests, numBlocks, maxBatchTokens, maxSeqs))
                .isEqualTo(runScheduler(requests, numBlocks, maxBatchTokens, maxSeqs));
    }

    /** What the comparison looks at: steps, requests in admission order (again after a preemption), preemptions, peak blocks. */
    private record Run(long steps, List<Integer> admitted, long preemptions, long peakBlocks) {
    }

    private static Run runScheduler(List<Request> requests, int numBlocks, int maxBatchTokens, int maxSeqs) {
        BlockManager blocks = new BlockManager(new BlockManagerConfig(numBlocks, BLOCK, true));
        Scheduler scheduler = new Scheduler(new SchedulerConfig(maxBatchTokens, maxSeqs), blocks);
        for (Request request : requests) {
            scheduler.add(request.id(), request.tokens(), SamplingParams.greedy(request.maxTokens()));
        }
        List<Integer> admitted = new ArrayList<>();
        Set<Sequence> running = new HashSet<>();
        long steps = 0;
        long preemptions = 0;
        int peak = 0;
        while (scheduler.hasUnfinished()) {
            ScheduledStep step = scheduler.schedule();
            assertThat(step.failed()).isEmpty();
            steps++;
            preemptions += step.preempted().size();
            running.removeAll(step.preempted());
            peak = Math.max(peak, blocks.usedBlockCount());
            int[] sampled = new int[step.numSampledChunks()];
            int next = 0;
            for (ScheduledChunk chunk : step.chunks()) {
                if (running.add(chunk.seq())) {
                    admitted.add((int) chunk.seq().requestId());
                }
                if (chunk.needsLogits()) { // tokens no other sequence produces, so no output block is shared
                    sampled[next++] = 10_000 + 100 * (int) chunk.seq().requestId() + chunk.seq().numGeneratedTokens();
                }
            }
            scheduler.postprocess(step, sampled);
            for (Sequence seq : List.copyOf(running)) {
                if (seq.numGeneratedTokens() == seq.params().maxTokens()) {
                    scheduler.finish(seq, FinishReason.LENGTH);
                    running.remove(seq);
                }
            }
            scheduler.checkInvariants();
        }
        return new Run(steps, admitted, preemptions, peak);
    }

    private static Run runSimulator(List<Request> requests, int numBlocks, int maxBatchTokens, int maxSeqs) {
        CostModel cost = new CostModel(TINY, new HardwareProfile("tiny", 1000, 100, (long) numBlocks * BLOCK * 32, 0.5));
        EngineLimits limits = new EngineLimits(maxSeqs, maxBatchTokens, BLOCK, PrefillPacing.FILL_BUDGET);
        Plan plan = new BatchPlanner(cost, limits).plan(requests, PlanPolicy.FCFS);
        assertThat(plan.executionOrder()).as("FCFS keeps the input order").containsExactly(
                IntStream.range(0, requests.size()).toArray());
        int[] outputs = requests.stream().mapToInt(Request::maxTokens).toArray();
        List<Integer> admitted = new ArrayList<>();
        SimulationResult result = new PlanSimulator(cost, limits).simulate(BatchPlanner.buildTree(requests), requests,
                plan, outputs, admitted::add);
        return new Run(result.steps(), admitted, result.preemptions(), result.peakKvBytes() / (BLOCK * 32));
    }

    private static Request request(int id, int[] prompt, int outputTokens) {
        return Request.withExpectedOutput(id, prompt, outputTokens, outputTokens);
    }

    private static int[] range(int first, int n) {
        return IntStream.range(first, first + n).toArray();
    }

    private static int[] concat(int[] a, int... b) {
        int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
