package dev.canopy.prefixtree;

import java.util.function.BooleanSupplier;

/**
 * The continuous-batching engine's rules for letting a waiting sequence in and for making room when the KV pool runs
 * out, in one place: the executor's {@code Scheduler} applies them to its block manager and the {@link PlanSimulator}
 * to its simulated pool, so a simulated plan admits, waits and preempts where the real run does.
 *
 * <p>Admission is first come, first served: the head of the waiting queue is admitted while the step has token budget
 * left, its request's seats fit and its prompt's blocks fit; the first that does not fit stops admission for the step
 * (no overtaking), except one whose shared prefix a running sequence is still computing: it stays waiting and the next
 * one is looked at. When a running sequence needs a block and none is free, the newest running sequence not yet
 * scheduled in the step is preempted (it recomputes later); with none left, the sequence itself steps back, or fails
 * when it runs alone.
 */
public final class AdmissionRule {

    /** What to do with the head of the waiting queue. */
    public enum Decision {
        /** Admit it now: give it its prompt's blocks and schedule its first chunk in this step. */
        ADMIT,
        /** Stop admitting for this step: no token budget or seats left, or its blocks do not fit while others run. */
        WAIT,
        /** Keep it waiting and look at the next one: a running sequence is still computing the prefix it shares. */
        DEFER,
        /** Fail it: its blocks do not fit even with nothing running. */
        TOO_LARGE
    }

    /** What to do when a running sequence needs a block and the pool has none. */
    public enum Shortage {
        /** Preempt the newest running sequence not yet scheduled in this step, then try again. */
        PREEMPT_NEWEST,
        /** Preempt the sequence itself: everything newer is gone and the older ones are scheduled; it waits for them. */
        PREEMPT_SELF,
        /** Fail the sequence: it runs alone and still does not fit. */
        TOO_LARGE
    }

    private AdmissionRule() {
    }

    /**
     * Whether waiting sequences may be admitted in this step at all: not after a preemption (the pool is short), unless
     * nothing else was scheduled (then admitting is the only way to make progress).
     */
    public static boolean admitsThisStep(boolean preemptedThisStep, boolean anyChunkScheduled) {
        return !preemptedThisStep || !anyChunkScheduled;
    }

    /**
     * Decides for the head of the waiting queue. The two suppliers are asked in this order and only when the earlier
     * checks passed (they may scan the prompt).
     *
     * @param budgetLeft tokens left in this step's budget
     * @param seatsOccupied seats the running sequences hold (a request of n samples holds n)
     * @param seatsNeeded seats the head's request needs
     * @param maxSeats most seats at once
     * @param sharedPrefixComputing whether a running sequence is still computing a prefix the head shares
     * @param blocksFit whether the head's blocks (its cached prefix shared, the rest fresh) fit in the free blocks
     * @param anyRunning whether some sequence is running (and will free blocks)
     */
    public static Decision decide(int budgetLeft, int seatsOccupied, int seatsNeeded, int maxSeats,
            BooleanSupplier sharedPrefixComputing, BooleanSupplier blocksFit, boolean anyRunning) {
        if (budgetLeft <= 0 || seatsOccupied + seatsNeeded > maxSeats) {
            return Decision.WAIT;
        }
        if (sharedPrefixComputing.getAsBoolean()) {
            return Decision.DEFER;
        }
        if (blocksFit.getAsBoolean()) {
            return Decision.ADMIT;
        }
        return anyRunning ? Decision.WAIT : Decision.TOO_LARGE;
    }

    /**
     * Decides how a running sequence that needs a block gets one when the pool has none.
     *
     * @param newerUnscheduledExists whether another running sequence is not scheduled in this step yet
     * @param numRunning running sequences, the one needing the block included
     */
    public static Shortage onPoolFull(boolean newerUnscheduledExists, int numRunning) {
        if (newerUnscheduledExists) {
            return Shortage.PREEMPT_NEWEST;
        }
        return numRunning == 1 ? Shortage.TOO_LARGE : Shortage.PREEMPT_SELF;
    }
}
