package dev.canopy.executor.sched;

/**
 * Limits of one scheduling step.
 *
 * @param maxBatchTokens most tokens in one step (decode tokens and prefill chunks together), at least 1
 * @param maxSeqs        most sequences holding KV memory at once (so also most sequences in one step), at least 1;
 *                       a request needs {@code n} seats, reserved when its first sample is admitted
 */
public record SchedulerConfig(int maxBatchTokens, int maxSeqs) {

    public SchedulerConfig {
        if (maxBatchTokens < 1) {
            throw new IllegalArgumentException("Cannot configure the scheduler: maxBatchTokens must be at least 1, got "
                    + maxBatchTokens);
        }
        if (maxSeqs < 1) {
            throw new IllegalArgumentException("Cannot configure the scheduler: maxSeqs must be at least 1, got "
                    + maxSeqs);
        }
    }
}
