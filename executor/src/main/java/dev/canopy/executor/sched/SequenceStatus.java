package dev.canopy.executor.sched;

/** Where a sequence is in its life. */
public enum SequenceStatus {
    /** Holds no KV memory; waits to be admitted (again, after a preemption) or to be forked from its first sample. */
    WAITING,
    /** Holds KV blocks and takes part in steps. */
    RUNNING,
    /** Done; see {@link Sequence#finishReason()}. Holds nothing. */
    FINISHED
}
