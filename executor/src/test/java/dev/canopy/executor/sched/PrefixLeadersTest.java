package dev.canopy.executor.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.kv.BlockManagerConfig;
import dev.canopy.executor.sample.SamplingParams;
import java.util.Arrays;
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

    @Test
    void withoutPrefixCachingNobodyWaits() {
        Scheduler s = new Scheduler(new SchedulerConfig(64, 8), new BlockManager(new BlockManagerConfig(32, 4, false)));
        int[] prefix = {11, 12, 13, 14, 15, 16, 17, 18};
        s.add(1, withPrefix(prefix, 30), SamplingParams.greedy(3));
        s.add(2, withPrefix(prefix, 40), SamplingParams.greedy(3));
        assertThat(s.schedule().chunks()).hasSize(2);
    }
}
