package dev.canopy.pipeline.batch;

/** {@link StallWatchdog} failed the job: it had stopped making progress; the message says since when and why. */
public class JobStalledException extends RuntimeException {

    public JobStalledException(String message, Throwable cause) {
        super(message, cause);
    }
}
