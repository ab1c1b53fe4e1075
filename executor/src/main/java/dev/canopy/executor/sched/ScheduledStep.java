package dev.canopy.executor.sched;

import dev.canopy.executor.kv.BlockCopy;
import java.util.List;

/**
 * One step's work: a single token batch mixing decode tokens and prefill chunks.
 *
 * <p>The engine applies {@link #copies()} (in order) before the forward pass, runs the forward on {@link #chunks()}
 * with each chunk's block table, samples one token for every chunk with {@code needsLogits} (in chunk order) and
 * hands them to {@link Scheduler#postprocess}. Block tables are valid until then.
 *
 * @param id        step number, from 0
 * @param chunks    the batch, at most one chunk per sequence
 * @param copies    copy-on-write block copies to apply before the forward pass, in order
 * @param preempted sequences that lost their KV memory this step; they will recompute it later, or get back what
 *                  the scheduler swapped out (the swaps are done already: nothing to do)
 * @param failed    sequences the scheduler finished with {@link FinishReason#ERROR} since the last step (for example
 *                  too long for the whole KV pool); the engine reports them
 * @param localCopies copy-on-write copies among the sliding-window layers' own blocks (when they have a pool of their
 *                  own), to apply before the forward pass, in order
 */
public record ScheduledStep(long id, List<ScheduledChunk> chunks, List<BlockCopy> copies, List<Sequence> preempted,
                            List<Sequence> failed, List<BlockCopy> localCopies) {

    public ScheduledStep {
        chunks = List.copyOf(chunks);
        copies = List.copyOf(copies);
        localCopies = List.copyOf(localCopies);
        preempted = List.copyOf(preempted);
        failed = List.copyOf(failed);
    }

    /** Whether there is nothing to run (the engine skips the forward pass, then still calls postprocess). */
    public boolean isEmpty() {
        return chunks.isEmpty();
    }

    /** Tokens in the batch. */
    public int numTokens() {
        int n = 0;
        for (ScheduledChunk chunk : chunks) {
            n += chunk.numTokens();
        }
        return n;
    }

    /** Chunks whose logits are needed: the length of the token array {@link Scheduler#postprocess} expects. */
    public int numSampledChunks() {
        int n = 0;
        for (ScheduledChunk chunk : chunks) {
            n += chunk.needsLogits() ? 1 : 0;
        }
        return n;
    }
}
