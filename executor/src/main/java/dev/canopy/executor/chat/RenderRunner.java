package dev.canopy.executor.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs renders on worker threads so that the caller gets an answer within the timeout whatever the
 * template does.
 *
 * <p>How a runaway render is stopped: Java cannot kill a thread, so stopping is cooperative but
 * unconditional. The worker checks its {@link RenderBudget} at every template node, loop, filter,
 * method and function call; between two checks it can only do a bounded amount of work, because
 * every string, list and range it can build is capped by {@link ChatTemplateLimits}. When the caller's
 * wait times out it marks the budget stopped; the worker throws at its next check and unwinds. The
 * caller waits a short grace period for that, and reports the timeout either way.
 *
 * <p>Workers are daemon threads with a large stack (deeply nested templates fail with a depth error
 * rather than a crash), pooled, and cleaned of jinjava's thread-local state after every render.
 */
final class RenderRunner {

    /** Stack for render threads: deep enough for any real template, so that only hostile nesting overflows. */
    private static final long WORKER_STACK_BYTES = 16L << 20;
    /** How long the caller waits, after the timeout, for the worker to notice it was stopped. */
    private static final long GRACE_MILLIS = 1000;

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final AtomicInteger ACTIVE = new AtomicInteger();
    private static final ThreadPoolExecutor POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), task -> {
                Thread t = new Thread(null, task, "canopy-chat-render-" + THREADS.incrementAndGet(), WORKER_STACK_BYTES);
                t.setDaemon(true);
                return t;
            });

    private RenderRunner() {}

    /**
     * Runs {@code render} on a worker with {@code budget} as its current budget and returns its result,
     * or {@code onStop} applied to the budget's stop if the render was stopped, overflowed its stack, or
     * did not finish within the timeout.
     */
    static <T> T run(RenderBudget budget, Function<RenderBudget, T> render, Function<RenderBudget.Stop, T> onStop) {
        CompletableFuture<T> result = new CompletableFuture<>();
        POOL.execute(() -> {
            ACTIVE.incrementAndGet();
            budget.enter();
            try {
                result.complete(render.apply(budget));
            } catch (RenderStopped e) {
                result.complete(onStop.apply(budget.stopped().orElseThrow()));
            } catch (StackOverflowError e) {
                result.complete(onStop.apply(new RenderBudget.Stop(ChatTemplateError.Reason.DEPTH_LIMIT,
                        "the template nests expressions or calls too deeply (stack overflow)", 0, 0)));
            } catch (RuntimeException e) {
                // A bug in jinjava that this template triggers (found by fuzzing: "{%%}" crashes its parser).
                result.complete(onStop.apply(budget.crashed(e)));
            } catch (Error e) {
                result.completeExceptionally(e);
            } finally {
                RenderBudget.exit();
                clearJinjavaState();
                ACTIVE.decrementAndGet();
            }
        });
        long timeoutNanos = budget.limits().timeout().toNanos();
        try {
            return awaitResult(result, timeoutNanos);
        } catch (TimeoutException e) {
            budget.cancelForTimeout();
            try {
                return awaitResult(result, TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS));
            } catch (TimeoutException stillRunning) {
                return onStop.apply(budget.stopped().orElseThrow());
            }
        }
    }

    /** Renders currently executing on workers, including stopped ones that have not unwound yet. */
    static int activeRenders() {
        return ACTIVE.get();
    }

    private static <T> T awaitResult(CompletableFuture<T> result, long nanos) throws TimeoutException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get(nanos, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IllegalStateException("Cannot render chat template: the render thread failed", e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A render that unwound abnormally may leave jinjava's current-interpreter stack non-empty. */
    private static void clearJinjavaState() {
        while (JinjavaInterpreter.getCurrent() != null) {
            JinjavaInterpreter.popCurrent();
        }
    }
}
