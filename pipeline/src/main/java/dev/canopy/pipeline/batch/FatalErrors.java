package dev.canopy.pipeline.batch;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Remembers the last {@link Error} (a {@code StackOverflowError}, an {@code OutOfMemoryError}) that ended a thread
 * of this JVM without anyone catching it, then passes it on to the handler that was installed before. Spark runs
 * some work on thread pools whose fatal errors leave a future that never completes (a footer-reading pool that
 * overflowed its stack hung the job silently); {@link StallWatchdog} names the error when it fails such a job.
 */
final class FatalErrors {

    /** A fatal error and the thread it ended. */
    record Seen(Throwable error, String thread, long atNanos) {
        String describe() {
            return error.getClass().getName() + (error.getMessage() == null ? "" : ": " + error.getMessage())
                    + " in thread '" + thread + "'";
        }
    }

    private static final AtomicReference<Seen> LAST = new AtomicReference<>();
    private static final Object INSTALL = new Object();
    private static volatile boolean installed;

    private FatalErrors() {}

    /** Installs the recording handler once per JVM, in front of the default handler there was. */
    static void install() {
        synchronized (INSTALL) {
            if (installed) {
                return;
            }
            Thread.UncaughtExceptionHandler previous = Thread.getDefaultUncaughtExceptionHandler();
            Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
                if (e instanceof Error) {
                    LAST.set(new Seen(e, thread.getName(), System.nanoTime()));
                }
                if (previous != null) {
                    previous.uncaughtException(thread, e);
                } else { // what the JVM does without a default handler (ThreadGroup would call this one again)
                    System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                    e.printStackTrace(System.err);
                }
            });
            installed = true;
        }
    }

    /** The last fatal error seen after {@code sinceNanos}, if any. */
    static Optional<Seen> since(long sinceNanos) {
        Seen seen = LAST.get();
        return seen != null && seen.atNanos() - sinceNanos >= 0 ? Optional.of(seen) : Optional.empty();
    }
}
