package dev.canopy.executor.engine.offload;

import dev.canopy.executor.kv.PrefixSpill;
import dev.canopy.executor.model.Backend;
import dev.canopy.executor.model.ModelConfig;
import dev.canopy.executor.sched.Scheduler;
import dev.canopy.executor.sched.Sequence;
import dev.canopy.executor.sched.SwapSpace;
import dev.canopy.offload.SpillFileSystem;
import java.util.Optional;

/**
 * KV offload as the engine's step loop sees it: one collaborator that the scheduler sees as its {@link SwapSpace}
 * (preempted sequences' blocks), the block manager as its {@link PrefixSpill} (evicted prefix blocks), and the step
 * loop through three hooks around a step. {@link #NONE} is offload turned off: every hook does nothing, so the loop
 * has no {@code if (offload on)} in it.
 *
 * <p>A step calls, in order: {@link #beforeSchedule} (plan which stored blocks are worth keeping), the scheduler
 * (which swaps through {@link SwapSpace}), {@link #beforeForward} (start prefetches that overlap the forward pass),
 * the forward pass, then {@link #afterForward} (finish the copies started while scheduling). A step with nothing to
 * run calls {@link #afterEmptyStep} instead of the last two.
 */
public interface KvOffload extends SwapSpace, AutoCloseable {

    /** Offload off: preemption recomputes, evicted prefix blocks are gone, the hooks do nothing. */
    KvOffload NONE = new NoKvOffload();

    /**
     * The offload {@code config} asks for: tiers that swap preempted sequences' KV and keep evicted prefix blocks
     * ({@link KvSwapper}) when enabled, {@link #NONE} when not.
     */
    static KvOffload open(OffloadConfig config, ModelConfig model, Backend backend, SpillFileSystem spillFiles) {
        return config.enabled() ? KvSwapper.open(config, model, backend, spillFiles) : NONE;
    }

    /** Where the block manager offers evicted prefix-cache blocks and restores prefixes from. */
    PrefixSpill prefixSpill();

    /** Before {@code scheduler} builds a step: takes its waiting queue as the plan of which blocks are read again. */
    void beforeSchedule(Scheduler scheduler);

    /** After the step is scheduled, before its forward pass: starts moving the next admissions' blocks up a tier. */
    void beforeForward(Scheduler scheduler);

    /**
     * After a forward pass of {@code tokens} rows that took {@code nanos}: records the FLOP rate (for swap or
     * recompute) and finishes the block copies the step started, which ran beside the forward.
     */
    void afterForward(int tokens, long nanos);

    /** After a step that ran no forward pass: finishes the block copies its scheduling started. */
    void afterEmptyStep();

    /** What preemption by swap moved so far; empty when offload is off. */
    Optional<SwapMetrics> swapMetrics();

    @Override
    void close();

    /** The no-op offload ({@link #NONE}); tests extend it to watch the hooks. */
    class NoKvOffload implements KvOffload {

        protected NoKvOffload() {
        }

        @Override
        public boolean shouldSwap(Sequence seq, int blocks) {
            return SwapSpace.NONE.shouldSwap(seq, blocks);
        }

        @Override
        public int swapOut(Sequence seq, int blocks) {
            return SwapSpace.NONE.swapOut(seq, blocks);
        }

        @Override
        public int swapIn(Sequence seq, int fromBlock, int toBlock) {
            return SwapSpace.NONE.swapIn(seq, fromBlock, toBlock);
        }

        @Override
        public void discard(Sequence seq) {
            SwapSpace.NONE.discard(seq);
        }

        @Override
        public PrefixSpill prefixSpill() {
            return PrefixSpill.NONE;
        }

        @Override
        public void beforeSchedule(Scheduler scheduler) {
        }

        @Override
        public void beforeForward(Scheduler scheduler) {
        }

        @Override
        public void afterForward(int tokens, long nanos) {
        }

        @Override
        public void afterEmptyStep() {
        }

        @Override
        public Optional<SwapMetrics> swapMetrics() {
            return Optional.empty();
        }

        @Override
        public void close() {
        }
    }
}
