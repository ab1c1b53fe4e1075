package dev.canopy.executor.chat;

import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * What one render may still spend: steps and time. Every sandbox hook (each template node, loop, filter,
 * method and function call) calls {@link #step} or {@link #check}; once a limit is hit, or the caller's
 * timeout cancels the render, the budget is stopped for good and every later hook throws
 * {@link RenderStopped}, so the render unwinds at the next hook even where jinjava swallowed the first
 * throw.
 *
 * <p>The budget of the render running on a thread is found through {@link #current()}: jinjava offers
 * no way to pass per-render state to the hooks other than its own thread-local interpreter.
 */
final class RenderBudget {

    private static final ThreadLocal<RenderBudget> CURRENT = new ThreadLocal<>();

    /**
     * Why a render was stopped, and where: the line and column of the node being rendered, as jinjava
     * numbers them (0 when unknown; see {@link LineMap}).
     */
    record Stop(ChatTemplateError.Reason reason, String detail, int line, int position) {}

    private final ChatTemplateLimits limits;
    private final ZonedDateTime now;
    private final long deadlineNanos;
    private long steps;
    /** Line and column of the template node being rendered, 0 before the first; used by the worker only. */
    private int line;
    private int position;
    /** The render thread's allocation counter when the render began, or -1 where the JVM cannot count. */
    private long startAllocatedBytes = -1;
    /** Set by the worker when a limit is hit, or by the caller's thread when the render times out. */
    private volatile Stop stop;

    /**
     * @param limits the bounds of this render
     * @param now what {@code strftime_now()} reports during this render
     * @param startNanos {@link System#nanoTime()} when the render was asked for
     */
    RenderBudget(ChatTemplateLimits limits, ZonedDateTime now, long startNanos) {
        this.limits = limits;
        this.now = now;
        this.deadlineNanos = startNanos + limits.timeout().toNanos();
    }

    /** The budget of the render running on this thread. */
    static RenderBudget current() {
        RenderBudget budget = CURRENT.get();
        if (budget == null) {
            throw new IllegalStateException("Cannot run a chat template hook: no render is running on thread "
                    + Thread.currentThread().getName());
        }
        return budget;
    }

    /** Makes this the budget of the render about to run on this thread. */
    void enter() {
        CURRENT.set(this);
        startAllocatedBytes = ThreadAllocation.currentThreadBytes();
    }

    static void exit() {
        CURRENT.remove();
    }

    ChatTemplateLimits limits() {
        return limits;
    }

    ZonedDateTime now() {
        return now;
    }

    long stepsTaken() {
        return steps;
    }

    /** Called as each template node starts rendering: one step, at {@code nodeLine} and {@code nodePosition}. */
    void enterNode(int nodeLine, int nodePosition) {
        line = nodeLine;
        position = nodePosition;
        step(1);
    }

    /** Spends {@code n} steps, then {@link #check}s. */
    void step(long n) {
        steps += n;
        if (steps > limits.maxRenderSteps()) {
            stop(ChatTemplateError.Reason.STEP_LIMIT, "the render took more than " + limits.maxRenderSteps()
                    + " steps (template nodes, loop iterations and calls); the template loops or recurses too much");
        }
        check();
    }

    /** Throws {@link RenderStopped} if the budget was stopped, the time is up or too much was allocated. */
    void check() {
        if (stop == null && System.nanoTime() - deadlineNanos > 0) {
            stop = new Stop(ChatTemplateError.Reason.TIMEOUT, timeoutDetail(), line, position);
        }
        if (stop == null && startAllocatedBytes >= 0) {
            long allocated = ThreadAllocation.currentThreadBytes() - startAllocatedBytes;
            if (allocated > limits.maxRenderBytes()) {
                stop = new Stop(ChatTemplateError.Reason.MEMORY_LIMIT, "the render allocated " + allocated
                        + " bytes, above the limit of " + limits.maxRenderBytes(), line, position);
            }
        }
        Stop s = stop;
        if (s != null) {
            throw new RenderStopped(s.detail());
        }
    }

    /** Stops the render for {@code reason}, at the node being rendered, and throws. */
    RenderStopped stop(ChatTemplateError.Reason reason, String detail) {
        return stop(reason, detail, line, position);
    }

    /** Stops the render for {@code reason}, at {@code atLine} and {@code atPosition} as jinjava numbers them, and throws. */
    RenderStopped stop(ChatTemplateError.Reason reason, String detail, int atLine, int atPosition) {
        if (stop == null) {
            stop = new Stop(reason, detail, atLine, atPosition);
        }
        throw new RenderStopped(stop.detail());
    }

    /** The stop for a render during which jinjava itself failed with {@code e}, at the node being rendered. */
    Stop crashed(RuntimeException e) {
        if (stop == null) {
            stop = new Stop(ChatTemplateError.Reason.ERROR, "jinjava failed on this template: " + e, line, position);
        }
        return stop;
    }

    /** Called from the caller's thread when the render overran its timeout; the worker stops at its next hook. */
    void cancelForTimeout() {
        if (stop == null) {
            stop = new Stop(ChatTemplateError.Reason.TIMEOUT, timeoutDetail(), 0, 0);
        }
    }

    Optional<Stop> stopped() {
        return Optional.ofNullable(stop);
    }

    private String timeoutDetail() {
        return "the render ran longer than the timeout of " + limits.timeout().toMillis() + " ms";
    }

}
