package dev.canopy.pipeline.batch;

import java.time.Duration;

/**
 * When {@link StallWatchdog} fails a job.
 *
 * @param afterFatalError how long the job may go without progress after a thread of this JVM died of an uncaught
 *                        error, before it is failed naming the error
 * @param withoutProgress how long the job may go without any progress at all (no task starting or ending, no
 *                        generated token reported by a heartbeat), whatever the cause
 * @param checkEvery      how often the watchdog looks
 */
public record StallLimits(Duration afterFatalError, Duration withoutProgress, Duration checkEvery) {

    /** 30 s after a fatal error; 30 minutes without any progress (a generation step reports tokens every few seconds). */
    public static final StallLimits DEFAULT = new StallLimits(Duration.ofSeconds(30), Duration.ofMinutes(30),
            Duration.ofSeconds(1));

    public StallLimits {
        if (afterFatalError.isNegative() || afterFatalError.isZero() || withoutProgress.compareTo(afterFatalError) < 0
                || checkEvery.isNegative() || checkEvery.isZero()) {
            throw new IllegalArgumentException("Cannot use stall limits: expected 0 < afterFatalError <= withoutProgress"
                    + " and checkEvery > 0, got " + afterFatalError + ", " + withoutProgress + ", " + checkEvery);
        }
    }
}
