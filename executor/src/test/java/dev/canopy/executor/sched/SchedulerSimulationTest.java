package dev.canopy.executor.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.kv.BlockHasher;
import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.kv.BlockManagerConfig;
import dev.canopy.executor.sample.SamplingParams;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Drives the scheduler with random workloads and a fake model (sampled tokens from a hash, token 0 = stop) until
 * everything finishes, checking every step: invariants, budgets, chunk positions, and the KV each chunk reads.
 */
class SchedulerSimulationTest {

    private static final int STOP_TOKEN = 0;
    private static final int VOCAB = 40;
    /** Eight hash values for all blocks: collisions everywhere, so hits must be verified. */
    private static final BlockHasher WEAK_HASH = (parent, tokens, offset, length) -> (parent * 31 + tokens[offset]) & 7;

    @Test
    void randomWorkloadsAllFinishExactlyOnceWithCorrectKvAndNoLeak() {
        SplittableRandom random = new SplittableRandom(2024);
        for (int trial = 0; trial < 150; trial++) {
            simulate(new SplittableRandom(random.nextLong()), trial);
        }
    }

    private static void simulate(SplittableRandom random, int trial) {
        int blockSize = 1 << random.nextInt(4);
        int numBlocks = 2 + random.nextInt(40);
        SchedulerConfig config = new SchedulerConfig(1 + random.nextInt(48), 1 + random.nextInt(8));
        BlockManagerConfig blockConfig = new BlockManagerConfig(numBlocks, blockSize, random.nextInt(4) > 0);
        boolean weakHash = random.nextBoolean();
        BlockManager blocks = new BlockManager(blockConfig, weakHash ? WEAK_HASH : BlockHasher.DEFAULT);
        Scheduler scheduler = new Scheduler(config, blocks);
        KvMemoryChecker memory = new KvMemoryChecker(numBlocks, blockSize);
        String where = "trial " + trial + " (" + blockConfig + (weakHash ? ", weak hash, " : ", ") + config + ")";

        int[][] systemPrompts = {tokens(random, 1 + random.nextInt(20)), tokens(random, 1 + random.nextInt(12))};
        int numRequests = 5 + random.nextInt(30);
        List<Sequence> all = new ArrayList<>();
        Map<Sequence, Integer> finishCount = new IdentityHashMap<>();
        int added = 0;
        for (int stepCount = 0; added < numRequests || scheduler.hasUnfinished(); stepCount++) {
            assertThat(stepCount).as("steps of %s", where).isLessThan(20_000);
            while (added < numRequests && random.nextInt(3) == 0) {
                all.addAll(scheduler.add(added++, randomPrompt(random, systemPrompts), randomParams(random)));
            }
            List<Sequence> live = all.stream().filter(s -> !s.isFinished()).toList();
            ScheduledStep step = scheduler.schedule();
            checkStep(step, config, where);
            step.failed().forEach(s -> finishCount.merge(s, 1, Integer::sum));
            memory.forward(step, live);

            int[] sampled = new int[step.numSampledChunks()];
            List<Sequence> samplers = new ArrayList<>();
            for (ScheduledChunk chunk : step.chunks()) {
                if (chunk.needsLogits()) {
                    sampled[samplers.size()] = fakeModel(chunk.seq());
                    samplers.add(chunk.seq());
                }
            }
            scheduler.postprocess(step, sampled);
            for (Sequence seq : samplers) {
                if (seq.status() != SequenceStatus.RUNNING) {
                    continue;
                }
                if (seq.generatedTokenAt(seq.numGeneratedTokens() - 1) == STOP_TOKEN) {
                    scheduler.finish(seq, FinishReason.STOP).forEach(s -> finishCount.merge(s, 1, Integer::sum));
                } else if (seq.numGeneratedTokens() == seq.params().maxTokens()) {
                    scheduler.finish(seq, FinishReason.LENGTH).forEach(s -> finishCount.merge(s, 1, Integer::sum));
                }
            }
            scheduler.checkInvariants();
        }

        assertThat(blocks.usedBlockCount()).as("blocks leaked in %s", where).isZero();
        for (Sequence seq : all) {
            assertThat(finishCount.get(seq)).as("finishes of %s in %s", seq, where).isEqualTo(1);
            checkOutcome(seq, blocks, config, where);
        }
    }

    private static void checkStep(ScheduledStep step, SchedulerConfig config, String where) {
        assertThat(step.numTokens()).as("tokens in a step of %s", where).isLessThanOrEqualTo(config.maxBatchTokens());
        assertThat(step.chunks().size()).as("sequences in a step of %s", where).isLessThanOrEqualTo(config.maxSeqs());
        Set<Long> ids = new HashSet<>();
        for (ScheduledChunk chunk : step.chunks()) {
            Sequence seq = chunk.seq();
            assertThat(ids.add(seq.id())).as("%s twice in a step", seq).isTrue();
            assertThat(seq.status()).isEqualTo(SequenceStatus.RUNNING);
            assertThat(chunk.startPos()).isEqualTo(seq.numComputedTokens());
            assertThat(chunk.needsLogits()).isEqualTo(chunk.endPos() == seq.numTokens());
        }
    }

    private static void checkOutcome(Sequence seq, BlockManager blocks, SchedulerConfig config, String where) {
        FinishReason reason = seq.finishReason().orElseThrow();
        int n = seq.numGeneratedTokens();
        switch (reason) {
            case STOP -> assertThat(seq.generatedTokenAt(n - 1)).isEqualTo(STOP_TOKEN);
            case LENGTH -> assertThat(n).isEqualTo(seq.params().maxTokens());
            case ERROR -> assertThat(seq.params().n() > config.maxSeqs()
                    || blocks.blocksFor(seq.numTokens()) > blocks.numBlocks())
                    .as("%s failed with '%s' in %s", seq, seq.errorMessage().orElseThrow(), where).isTrue();
        }
    }

    /** The fake model: a token determined by the sequence's tokens so far. */
    private static int fakeModel(Sequence seq) {
        long h = seq.numTokens() * 0x9E3779B97F4A7C15L + seq.sampleIndex() * 31L;
        for (int p = Math.max(0, seq.numTokens() - 3); p < seq.numTokens(); p++) {
            h = (h ^ seq.tokenAt(p)) * 0xBF58476D1CE4E5B9L;
        }
        return (int) Math.floorMod(h >>> 17, VOCAB);
    }

    private static int[] randomPrompt(SplittableRandom random, int[][] systemPrompts) {
        int[] suffix = tokens(random, random.nextInt(30));
        int[] prefix = random.nextBoolean() ? systemPrompts[random.nextInt(systemPrompts.length)] : new int[0];
        if (prefix.length + suffix.length == 0) {
            suffix = tokens(random, 1);
        }
        int[] prompt = java.util.Arrays.copyOf(prefix, prefix.length + suffix.length);
        System.arraycopy(suffix, 0, prompt, prefix.length, suffix.length);
        return prompt;
    }

    private static SamplingParams randomParams(SplittableRandom random) {
        int n = random.nextInt(5) == 0 ? 2 + random.nextInt(3) : 1;
        return SamplingParams.builder().n(n).maxTokens(1 + random.nextInt(25)).build();
    }

    private static int[] tokens(SplittableRandom random, int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = 1 + random.nextInt(VOCAB - 1);
        }
        return t;
    }
}
