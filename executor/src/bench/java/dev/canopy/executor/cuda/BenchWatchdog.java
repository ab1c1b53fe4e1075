package dev.canopy.executor.cuda;

import java.io.PrintStream;
import java.util.Map;

/**
 * The benchmark's progress log and watchdog. Every line goes to {@code log} at once, stamped with the
 * seconds since the start. Each stage is announced with a time budget ({@link #stage}); the workloads
 * keep to their budgets by themselves, so a stage still running {@link #GRACE_SECONDS} past its budget
 * (or past the whole run's) is hung: the watchdog logs every thread's stack, naming the stage, and ends
 * the process, which keeps the rows already written.
 */
final class BenchWatchdog implements AutoCloseable {

    /** How far past its budget a stage may run before it counts as hung. */
    static final double GRACE_SECONDS = 20;
    /** Exit status of a run the watchdog ended. */
    static final int HUNG_EXIT = 3;

    private final PrintStream log;
    private final long start = System.nanoTime();
    private final long end;             // System.nanoTime() when the whole run must be over
    private final Thread thread;
    private volatile String stage = "starting";
    private volatile long stageDeadline; // System.nanoTime() past which the stage counts as hung
    private volatile boolean closed;

    /** Starts watching a run of at most {@code totalSeconds}, logging to {@code log}. */
    BenchWatchdog(PrintStream log, double totalSeconds) {
        this.log = log;
        this.end = start + nanos(totalSeconds);
        this.stageDeadline = end;
        this.thread = Thread.ofPlatform().daemon().name("bench-watchdog").start(this::watch);
    }

    /** Logs {@code name} as the stage starting now; it may take {@code budgetSeconds} (capped by what is left). */
    void stage(String name, double budgetSeconds) {
        stage = name;
        long now = System.nanoTime();
        stageDeadline = Math.min(end, now + nanos(budgetSeconds)) + nanos(GRACE_SECONDS);
        log("%s (budget %.0f s)...", name, Math.min(budgetSeconds, secondsLeft()));
    }

    /** Seconds left of the whole run. */
    double secondsLeft() {
        return Math.max(0, (end - System.nanoTime()) / 1e9);
    }

    /** Whether at least {@code seconds} of the run are left; logs the skip of {@code what} if not. */
    boolean hasTime(double seconds, String what) {
        if (secondsLeft() >= seconds) {
            return true;
        }
        log("skipped %s: %.0f s left, it needs about %.0f s", what, secondsLeft(), seconds);
        return false;
    }

    /** One progress line, flushed. */
    void log(String format, Object... args) {
        synchronized (log) {
            log.printf("[%6.1f s] %s%n", (System.nanoTime() - start) / 1e9, String.format(format, args));
            log.flush();
        }
    }

    private void watch() {
        while (!closed) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            if (!closed && System.nanoTime() > stageDeadline) {
                log("HUNG: stage '%s' is %.0f s past its budget; every thread's stack follows, then the run ends",
                        stage, GRACE_SECONDS);
                dumpStacks();
                log.flush();
                Runtime.getRuntime().halt(HUNG_EXIT);
            }
        }
    }

    private void dumpStacks() {
        synchronized (log) {
            for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
                log.println("thread " + e.getKey().getName() + " (" + e.getKey().getState() + ")");
                for (StackTraceElement frame : e.getValue()) {
                    log.println("    at " + frame);
                }
            }
        }
    }

    private static long nanos(double seconds) {
        return (long) (seconds * 1e9);
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
