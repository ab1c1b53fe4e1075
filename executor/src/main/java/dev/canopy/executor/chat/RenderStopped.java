package dev.canopy.executor.chat;

import java.io.Serial;

/**
 * Unwinds a render that hit a limit or a sandbox rule. It is an {@link Error}, not an exception, on
 * purpose: jinjava catches every {@link Exception} thrown while it evaluates an expression, records it
 * and keeps rendering, so an exception could not stop a runaway loop. Thrown only on a render worker
 * thread and caught by {@link RenderRunner}; it never reaches callers.
 */
final class RenderStopped extends Error {

    @Serial
    private static final long serialVersionUID = 1L;

    RenderStopped(String message) {
        super(message, null, false, false);
    }
}
