package dev.canopy.executor.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.kv.BlockManagerConfig;
import dev.canopy.executor.sample.SamplingParams;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Prompts that share a prefix with a running prompt wait for its KV instead of computing it again. */
class PrefixLeadersTest {

    private static int[] withPrefix(int[] prefix, int... suffix) {
        int[] p = Arrays.copyOf(prefix, prefix.length + suffix.length);
        System.arraycopy(suffix, 0, p, prefix.length, suffix.length);
        return p;
    }

    private static void complete(Scheduler s, ScheduledStep step) {
        int[] sampled = new int[step.numSampledChunks()];
        Arrays.fill(sampled, 7);
        s.postprocess(step, sampled);
        s.checkInvariants();
    }

    @Test
    void aFollowerWaitsForTheLeadersSharedBlocksThenReusesThem() {
        Scheduler s = new Scheduler(new SchedulerConfig(64, 8),
                new BlockManager(new BlockManagerConfig(32, 4, true)));
        int[] prefix = {11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22}; // 3 full blocks of 4
        Sequence leader = s.add(1, withPrefix(prefix, 30, 31), SamplingParams.greedy(3)).getFirst();
        Sequence follower = s.add(2, withPrefix(prefix, 40, 41, 42), SamplingParams.greedy(3)).getFirst();
        Sequence unrelated = s.add(3, new int[] {90, 91, 92, 93, 94, 95}, SamplingParams.greedy(3)).getFirst();

        ScheduledStep first = s.schedule();
        assertThat(first.chunks()).extracting(ScheduledChunk::seq).containsExactly(leader, unrelated);
        complete(s, first);

        ScheduledStep second = s.schedule();
        assertThat(second.chunks()).extracting(ScheduledChunk::seq).contains(follower);
        assertThat(follower.numCachedTokens()).isEqualTo(12);
        complete(s, second);
    }

    /**
     * Many prompts share a one-block opening, then two of them share a long document. The first prompt is still
     * computing (so it leads the opening) when both document requests are admitted in the same step: the second waits
     * for the first one computing the document, not only for the opening, and the document is computed once.
     */
    @Test
    void twoRequestsForOneDocumentBehindACommonOpeningComputeItOnce() {
        Scheduler s = new Scheduler(new SchedulerConfig(64, 8), new BlockManager(new BlockManagerConfig(64, 4, true)));
        int[] opening = {1, 2, 3, 4}; // one full block every prompt shares
        int[] document = IntStream.range(100, 136).toArray(); // 9 full blocks
        Sequence other = s.add(1, withPrefix(opening, IntStream.range(500, 576).toArray()), SamplingParams.greedy(1))
                .getFirst(); // 80 tokens: 64 in the first step, the last 16 with the document requests
        Sequence first = s.add(2, withPrefix(withPrefix(opening, document), 41), SamplingParams.greedy(1)).getFirst();
        Sequence second = s.add(3, withPrefix(withPrefix(opening, document), 42), SamplingParams.greedy(1)).getFirst();

        complete(s, s.schedule());
        ScheduledStep both = s.schedule();
        assertThat(both.chunks()).extracting(ScheduledChunk::seq).containsExactly(other, first);
        long prefill = prefillTokens(both);
        complete(s, both);
        finishOneTokenOutputs(s, other, first, second);
        while (s.hasUnfinished()) {
            ScheduledStep step = s.schedule();
            prefill += prefillTokens(step);
            complete(s, step);
            finishOneTokenOutputs(s, other, first, second);
        }

        assertThat(second.numCachedTokens()).as("the opening and the document, from the first").isEqualTo(40);
        assertThat(prefill).as("the other's last 16, the first's 37 past the opening, the second's last token")
                .isEqualTo(16 + 37 + 1);
    }

    private static void finishOneTokenOutputs(Scheduler s, Sequence... seqs) {
        for (Sequence seq : seqs) {
            if (seq.status() == SequenceStatus.RUNNING && seq.numGeneratedTokens() == 1) {
                s.finish(seq, FinishReason.LENGTH);
            }
        }
    }

    /** Prompt tokens the step computes. */
    private static long prefillTokens(ScheduledStep step) {
        long n = 0;
        for (ScheduledChunk chunk : step.chunks()) {
            n += Math.max(0, Math.min(chunk.endPos(), chunk.seq().numPromptTokens()) - chunk.startPos());
        }
        return n;
    }

    @Test
    void withoutPrefixCachingNobodyWaits() {
        Scheduler s = new Scheduler(new SchedulerConfig(64, 8), new BlockManager(new BlockManagerConfig(32, 4, false)));
        int[] prefix = {11, 12, 13, 14, 15, 16, 17, 18};
        s.add(1, withPrefix(prefix, 30), SamplingParams.greedy(3));
        s.add(2, withPrefix(prefix, 40), SamplingParams.greedy(3));
        assertThat(s.schedule().chunks()).hasSize(2);
    }
}
