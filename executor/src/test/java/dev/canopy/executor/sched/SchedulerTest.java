package dev.canopy.executor.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.kv.BlockManager;
import dev.canopy.executor.kv.BlockManagerConfig;
import dev.canopy.executor.sample.SamplingParams;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    private static Scheduler scheduler(int numBlocks, int maxBatchTokens, int maxSeqs) {
        return new Scheduler(new SchedulerConfig(maxBatchTokens, maxSeqs),
                new BlockManager(new BlockManagerConfig(numBlocks, 4, true)));
    }

    private static int[] prompt(int first, int n) {
        int[] tokens = new int[n];
        Arrays.setAll(tokens, i -> first + i);
        return tokens;
    }

    /** Runs the step's forward "pass": every sampled token is {@code token}. */
    private static void complete(Scheduler s, ScheduledStep step, int token) {
        int[] sampled = new int[step.numSampledChunks()];
        Arrays.fill(sampled, token);
        s.postprocess(step, sampled);
        s.checkInvariants();
    }

    private static ScheduledChunk chunk(Sequence seq, int start, int n, boolean logits) {
        return new ScheduledChunk(seq, start, n, logits);
    }

    @Test
    void aLongPromptIsPrefilledInChunksOfTheTokenBudget() {
        Scheduler s = scheduler(10, 3, 4);
        Sequence seq = s.add(1, prompt(10, 10), SamplingParams.greedy(5)).getFirst();

        for (int start = 0; start < 9; start += 3) {
            ScheduledStep step = s.schedule();
            assertThat(step.chunks()).containsExactly(chunk(seq, start, 3, false));
            complete(s, step, 0);
        }
        ScheduledStep last = s.schedule();
        assertThat(last.chunks()).containsExactly(chunk(seq, 9, 1, true));
        complete(s, last, 42);
        assertThat(seq.generatedTokenIds()).containsExactly(42);
        assertThat(s.schedule().chunks()).containsExactly(chunk(seq, 10, 1, true));
    }

    @Test
    void eachStepMixesDecodesPrefillChunksAndNewAdmissionsWithinTheBudget() {
        Scheduler s = scheduler(20, 8, 4);
        Sequence a = s.add(1, prompt(0, 10), SamplingParams.greedy(5)).getFirst();
        Sequence b = s.add(2, prompt(100, 3), SamplingParams.greedy(5)).getFirst();

        ScheduledStep first = s.schedule();
        assertThat(first.chunks()).containsExactly(chunk(a, 0, 8, false));
        complete(s, first, 7);

        ScheduledStep second = s.schedule();
        assertThat(second.chunks()).containsExactly(chunk(a, 8, 2, true), chunk(b, 0, 3, true));
        complete(s, second, 7);

        Sequence c = s.add(3, prompt(200, 9), SamplingParams.greedy(5)).getFirst();
        ScheduledStep third = s.schedule();
        assertThat(third.chunks()).containsExactly(chunk(a, 10, 1, true), chunk(b, 3, 1, true), chunk(c, 0, 6, false));
        assertThat(third.numTokens()).isEqualTo(8);
        assertThat(third.numSampledChunks()).isEqualTo(2);
    }

    @Test
    void waitingSequencesAreAdmittedInAddOrderWithoutOvertaking() {
        Scheduler s = scheduler(5, 100, 8);
        Sequence a = s.add(1, prompt(0, 12), SamplingParams.greedy(1)).getFirst(); // 3 blocks
        s.add(2, prompt(100, 13), SamplingParams.greedy(1)); // 4 blocks: waits for a
        s.add(3, prompt(200, 2), SamplingParams.greedy(1)); // 1 block: would fit, but waits its turn

        ScheduledStep step = s.schedule();
        assertThat(step.chunks()).extracting(ScheduledChunk::seq).containsExactly(a);
        assertThat(s.numWaiting()).isEqualTo(2);
    }

    @Test
    void noMoreThanMaxSeqsSequencesRunAtOnce() {
        Scheduler s = scheduler(20, 100, 2);
        Sequence a = s.add(1, prompt(0, 3), SamplingParams.greedy(1)).getFirst();
        Sequence b = s.add(2, prompt(10, 3), SamplingParams.greedy(1)).getFirst();
        Sequence c = s.add(3, prompt(20, 3), SamplingParams.greedy(1)).getFirst();

        ScheduledStep step = s.schedule();
        assertThat(step.chunks()).extracting(ScheduledChunk::seq).containsExactly(a, b);
        complete(s, step, 5);
        assertThat(s.finish(a, FinishReason.LENGTH)).containsExactly(a);
        assertThat(s.schedule().chunks()).extracting(ScheduledChunk::seq).containsExactly(b, c);
    }

    @Test
    void whenThePoolRunsOutTheNewestSequenceIsPreemptedAndLaterRecomputed() {
        Scheduler s = scheduler(4, 64, 4);
        Sequence a = s.add(1, prompt(0, 7), SamplingParams.greedy(10)).getFirst(); // 2 blocks each
        Sequence b = s.add(2, prompt(100, 7), SamplingParams.greedy(10)).getFirst();
        complete(s, s.schedule(), 1); // both prefilled, 8 tokens each
        complete(s, s.schedule(), 2); // position 7 still fits in the second block: 9 tokens each

        ScheduledStep step = s.schedule(); // a needs a third block for position 8
        assertThat(step.preempted()).containsExactly(b);
        assertThat(step.chunks()).containsExactly(chunk(a, 8, 1, true));
        assertThat(b.status()).isEqualTo(SequenceStatus.WAITING);
        assertThat(b.numPreemptions()).isEqualTo(1);
        assertThat(b.generatedTokenIds()).containsExactly(1, 2);
        complete(s, step, 3);

        s.finish(a, FinishReason.STOP);
        ScheduledStep resumed = s.schedule();
        // its first block survived in the prefix cache; a took the second (a prefix outlives its continuation)
        assertThat(b.numCachedTokens()).isEqualTo(4);
        assertThat(resumed.chunks()).containsExactly(chunk(b, 4, 5, true));
        complete(s, resumed, 4);
        assertThat(b.generatedTokenIds()).containsExactly(1, 2, 4);
        assertThat(s.schedule().chunks()).containsExactly(chunk(b, 9, 1, true));
    }

    @Test
    void aPromptTooLargeForTheWholePoolFailsAndTheOthersRun() {
        Scheduler s = scheduler(4, 64, 4);
        Sequence tooLong = s.add(1, prompt(0, 17), SamplingParams.greedy(1)).getFirst();
        Sequence fine = s.add(2, prompt(100, 5), SamplingParams.greedy(1)).getFirst();

        ScheduledStep step = s.schedule();
        assertThat(step.failed()).containsExactly(tooLong);
        assertThat(tooLong.finishReason()).contains(FinishReason.ERROR);
        assertThat(tooLong.errorMessage()).contains("Cannot schedule sequence 0 (request 1, sample 0): its 17 tokens "
                + "need 5 KV blocks of 4 tokens but the pool has 4 blocks");
        assertThat(step.chunks()).containsExactly(chunk(fine, 0, 5, true));
        complete(s, step, 9);
        s.finish(fine, FinishReason.LENGTH);
        assertThat(s.hasUnfinished()).isFalse();
        assertThat(s.blockManager().usedBlockCount()).isZero();
    }

    @Test
    void aSequenceOutgrowingThePoolWhileAloneFails() {
        Scheduler s = scheduler(2, 64, 4);
        Sequence seq = s.add(1, prompt(0, 7), SamplingParams.greedy(100)).getFirst();
        complete(s, s.schedule(), 1);
        complete(s, s.schedule(), 1); // 9 tokens: position 8 would need a third block

        ScheduledStep step = s.schedule();
        assertThat(step.failed()).containsExactly(seq);
        assertThat(step.chunks()).isEmpty();
        assertThat(seq.errorMessage()).contains("Cannot schedule sequence 0 (request 1, sample 0): its 9 tokens need "
                + "3 KV blocks of 4 tokens but the pool has 2 blocks");
        assertThat(seq.generatedTokenIds()).containsExactly(1, 1);
        complete(s, step, 0);
        assertThat(s.hasUnfinished()).isFalse();
    }

    @Test
    void samplesOfARequestForkFromTheFirstOnceItsPromptIsComputed() {
        Scheduler s = scheduler(10, 64, 4);
        List<Sequence> samples = s.add(7, prompt(0, 6), SamplingParams.builder().n(3).build());
        assertThat(samples).extracting(Sequence::sampleIndex).containsExactly(0, 1, 2);
        Sequence first = samples.get(0);

        ScheduledStep prefill = s.schedule();
        assertThat(prefill.chunks()).containsExactly(chunk(first, 0, 6, true));
        int sharedBlock = first.blockTable().blockId(1);
        complete(s, prefill, 11);
        assertThat(samples).allMatch(seq -> seq.status() == SequenceStatus.RUNNING);
        assertThat(samples.get(1).numCachedTokens()).isEqualTo(5);

        ScheduledStep step = s.schedule();
        assertThat(step.chunks()).containsExactly(chunk(first, 6, 1, true), chunk(samples.get(1), 5, 1, true),
                chunk(samples.get(2), 5, 1, true));
        assertThat(step.copies()).hasSize(2).allMatch(copy -> copy.srcBlock() == sharedBlock);
        assertThat(samples.get(2).blockTable().blockId(1)).isEqualTo(sharedBlock); // the last holder writes in place
        assertThat(samples.get(0).blockTable().blockId(0)).isEqualTo(samples.get(2).blockTable().blockId(0));
        complete(s, step, 12);
        assertThat(samples.get(1).generatedTokenIds()).containsExactly(12);
        assertThat(samples.get(0).generatedTokenIds()).containsExactly(11, 12);
    }

    @Test
    void moreSamplesThanSeatsFailAllOfThem() {
        Scheduler s = scheduler(10, 64, 2);
        List<Sequence> samples = s.add(3, prompt(0, 4), SamplingParams.builder().n(3).build());
        assertThat(s.hasUnfinished()).isTrue();
        ScheduledStep step = s.schedule();
        assertThat(step.failed()).containsExactlyElementsOf(samples);
        assertThat(samples.get(2).errorMessage())
                .contains("Cannot schedule the request: its n=3 samples need 3 seats but maxSeqs is 2; lower n or raise maxSeqs");
        complete(s, step, 0);
        assertThat(s.hasUnfinished()).isFalse();
    }

    @Test
    void finishingTheFirstSampleBeforeTheForkFinishesTheOthersToo() {
        Scheduler s = scheduler(10, 64, 4);
        List<Sequence> samples = s.add(3, prompt(0, 4), SamplingParams.builder().n(2).build());
        assertThat(s.finish(samples.getFirst(), FinishReason.STOP)).containsExactlyElementsOf(samples);
        assertThat(samples.get(1).finishReason()).contains(FinishReason.STOP);
        assertThat(s.hasUnfinished()).isFalse();
        s.checkInvariants();
    }

    @Test
    void aSequenceFinishedWhileItsStepRunsIsSkippedByPostprocess() {
        Scheduler s = scheduler(10, 64, 4);
        Sequence a = s.add(1, prompt(0, 5), SamplingParams.greedy(5)).getFirst();
        Sequence b = s.add(2, prompt(10, 5), SamplingParams.greedy(5)).getFirst();
        ScheduledStep step = s.schedule();
        s.fail(a, "cancelled by the user");
        complete(s, step, 8);
        assertThat(a.generatedTokenIds()).isEmpty();
        assertThat(a.errorMessage()).contains("cancelled by the user");
        assertThat(b.generatedTokenIds()).containsExactly(8);
    }

    @Test
    void misuseIsRejectedWithTheValues() {
        Scheduler s = scheduler(10, 64, 4);
        Sequence a = s.add(1, prompt(0, 5), SamplingParams.greedy(5)).getFirst();
        ScheduledStep step = s.schedule();
        assertThatThrownBy(s::schedule).hasMessage("Cannot schedule: step 0 has not been postprocessed");
        assertThatThrownBy(() -> s.postprocess(step, new int[2]))
                .hasMessage("Cannot postprocess step 0: expected 1 sampled tokens (one per chunk needing logits), got 2");
        assertThatThrownBy(() -> s.postprocess(step, new int[]{-1}))
                .hasMessage("Cannot postprocess step 0: sampled token id -1 is negative");
        s.postprocess(step, new int[]{1});
        assertThatThrownBy(() -> s.postprocess(step, new int[]{1}))
                .hasMessage("Cannot postprocess step 0: no step is in flight");
        assertThatThrownBy(() -> s.finish(a, FinishReason.ERROR))
                .hasMessage("Cannot finish sequence 0 with ERROR: call fail(seq, message) so that the error has a message");
        s.finish(a, FinishReason.STOP);
        assertThatThrownBy(() -> s.finish(a, FinishReason.LENGTH))
                .hasMessage("Cannot finish sequence 0: it already finished with STOP");
        assertThatThrownBy(() -> s.add(2, new int[0], SamplingParams.greedy(1)))
                .hasMessage("Cannot add request 2: the prompt is empty");
        assertThatThrownBy(() -> new SchedulerConfig(0, 1))
                .hasMessage("Cannot configure the scheduler: maxBatchTokens must be at least 1, got 0");
    }
}
