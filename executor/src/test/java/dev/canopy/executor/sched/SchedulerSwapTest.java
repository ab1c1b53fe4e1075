package dev.canopy.executor.sched;

import static org.assertj.core.api.Assertions.assertThat;

import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.kv.BlockManagerConfig;
import dev.canopy.executor.sample.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Preemption by swap, at the scheduler's level: which blocks go out, which come back, and where compute resumes. */
class SchedulerSwapTest {

    /**
     * A swap space that keeps, per sequence, the physical block ids it was handed (standing for their content) and
     * can hold at most {@code capacity} blocks; {@code restorable} limits how many blocks a swap-in gets back.
     */
    private static final class BlockIdSwapSpace implements SwapSpace {
        final Map<Long, List<Integer>> stored = new HashMap<>();
        final List<String> log = new ArrayList<>();
        int capacity = Integer.MAX_VALUE;
        int restorable = Integer.MAX_VALUE;

        @Override
        public boolean shouldSwap(Sequence seq, int blocks) {
            return true;
        }

        @Override
        public int swapOut(Sequence seq, int blocks) {
            int n = Math.min(blocks, capacity);
            List<Integer> ids = new ArrayList<>();
            for (int k = 0; k < n; k++) {
                ids.add(seq.blockTable().blockId(k));
            }
            stored.put(seq.id(), ids);
            log.add("out " + seq.id() + " " + ids);
            return n;
        }

        @Override
        public int swapIn(Sequence seq, int fromBlock, int toBlock) {
            int n = Math.min(toBlock - fromBlock, restorable);
            log.add("in " + seq.id() + " [" + fromBlock + ", " + toBlock + ") restored " + n);
            discard(seq);
            return n;
        }

        @Override
        public void discard(Sequence seq) {
            stored.remove(seq.id());
        }
    }

    private final BlockIdSwapSpace swap = new BlockIdSwapSpace();
    private final Scheduler s = new Scheduler(new SchedulerConfig(64, 4),
            new BlockManager(new BlockManagerConfig(4, 4, false)), swap);

    private static int[] prompt(int first, int n) {
        int[] tokens = new int[n];
        Arrays.setAll(tokens, i -> first + i);
        return tokens;
    }

    private void complete(ScheduledStep step, int token) {
        int[] sampled = new int[step.numSampledChunks()];
        Arrays.fill(sampled, token);
        s.postprocess(step, sampled);
        s.checkInvariants();
    }

    /** Two sequences of 9 tokens (2 blocks each) in a pool of 4; the next step preempts b. */
    private Sequence[] fillThePool() {
        Sequence a = s.add(1, prompt(0, 7), SamplingParams.greedy(10)).getFirst();
        Sequence b = s.add(2, prompt(100, 7), SamplingParams.greedy(10)).getFirst();
        complete(s.schedule(), 1);
        complete(s.schedule(), 2);
        return new Sequence[] {a, b};
    }

    @Test
    void aSwappedSequenceComesBackWithItsComputedTokensAndDecodesOn() {
        Sequence[] seqs = fillThePool();
        Sequence a = seqs[0];
        Sequence b = seqs[1];

        ScheduledStep step = s.schedule();
        assertThat(step.preempted()).containsExactly(b);
        assertThat(b.numSwappedTokens()).isEqualTo(8);
        assertThat(b.numComputedTokens()).isZero();
        assertThat(swap.stored.get(b.id())).hasSize(2);
        complete(step, 3);

        s.finish(a, FinishReason.STOP);
        assertThat(s.swappedWaiting(2)).containsExactly(b);
        ScheduledStep resumed = s.schedule();
        assertThat(resumed.chunks()).containsExactly(new ScheduledChunk(b, 8, 1, true)); // only the pending decode
        assertThat(b.numSwappedTokens()).isZero();
        assertThat(b.numCachedTokens()).isZero();
        assertThat(swap.log).containsExactly("out 1 [2, 3]", "in 1 [0, 2) restored 2");
        assertThat(swap.stored).isEmpty();
        complete(resumed, 4);
        assertThat(b.generatedTokenIds()).containsExactly(1, 2, 4);
    }

    @Test
    void aPartialSwapOutOrSwapInRecomputesFromTheFirstMissingBlock() {
        swap.capacity = 1;
        Sequence[] seqs = fillThePool();
        ScheduledStep step = s.schedule();
        assertThat(seqs[1].numSwappedTokens()).isEqualTo(4);
        complete(step, 3);
        s.finish(seqs[0], FinishReason.STOP);
        swap.restorable = 0;

        ScheduledStep resumed = s.schedule();

        assertThat(resumed.chunks()).containsExactly(new ScheduledChunk(seqs[1], 0, 9, true));
        assertThat(swap.stored).isEmpty();
    }

    @Test
    void aSwappedSequenceThatFinishesWhileWaitingLeavesNothingStored() {
        Sequence[] seqs = fillThePool();
        complete(s.schedule(), 3);

        s.finish(seqs[1], FinishReason.STOP);

        assertThat(swap.stored).isEmpty();
        assertThat(seqs[1].numSwappedTokens()).isZero();
        s.checkInvariants();
    }
}
