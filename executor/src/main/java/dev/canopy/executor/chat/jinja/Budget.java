package dev.canopy.executor.chat.jinja;

import dev.canopy.executor.chat.ChatTemplateError.Reason;
import dev.canopy.executor.chat.ChatTemplateLimits;

/**
 * What one render may still spend, checked on the rendering thread before each operation: steps (each
 * node, loop iteration, call, and each 256 characters a string operation reads or writes), characters
 * of each string and elements of each list it would build, bytes it would allocate in total, macro depth,
 * and wall-clock time. An operation whose cost would pass a bound is refused before it runs, so a render
 * stops deterministically where it is, and no work goes on after it stopped.
 */
final class Budget {

    /** Bytes charged per string character and per list or map element (a reference plus its share of boxing). */
    static final int CHAR_BYTES = 2;
    static final int ELEMENT_BYTES = 16;

    final ChatTemplateLimits limits;
    private final long deadlineNanos;
    private long steps;
    private long bytes;
    int depth;

    Budget(ChatTemplateLimits limits, long startNanos) {
        this.limits = limits;
        this.deadlineNanos = startNanos + limits.timeout().toNanos();
    }

    void step(int line) {
        step(line, 1);
    }

    void step(int line, long n) {
        steps += n;
        if (steps > limits.maxRenderSteps()) {
            throw new TemplateError(Reason.STEP_LIMIT, line, "the render took more than " + limits.maxRenderSteps()
                    + " steps");
        }
        if ((steps & 0xff) < n && System.nanoTime() - deadlineNanos > 0) {
            throw new TemplateError(Reason.TIMEOUT, line, "the render ran longer than the timeout of "
                    + limits.timeout().toMillis() + " ms");
        }
    }

    /** Charges an operation that reads or writes {@code chars} characters: one step per 256. */
    void work(int line, long chars) {
        step(line, 1 + chars / 256);
    }

    /** Refuses a string of {@code chars} characters before {@code what} builds it; else charges its bytes. */
    void string(int line, long chars, String what) {
        checkLength(line, chars, what);
        work(line, chars);
        allocate(line, chars * CHAR_BYTES);
    }

    /** Refuses a string of {@code chars} characters that {@code what} is growing piece by piece (pieces are charged). */
    void checkLength(int line, long chars, String what) {
        if (chars > limits.maxStringChars()) {
            throw new TemplateError(Reason.STRING_LIMIT, line, what + " would build a string of " + chars
                    + " characters, above the limit of " + limits.maxStringChars());
        }
    }

    /** Refuses a list or map of {@code elements} before {@code what} builds it; else charges its bytes. */
    void list(int line, long elements, String what) {
        if (elements > limits.maxListSize()) {
            throw new TemplateError(Reason.LIST_LIMIT, line, what + " would build a collection of " + elements
                    + " elements, above the limit of " + limits.maxListSize());
        }
        step(line, 1 + elements / 1024);
        allocate(line, elements * ELEMENT_BYTES);
    }

    void allocate(int line, long n) {
        bytes += n;
        if (bytes > limits.maxRenderBytes()) {
            throw new TemplateError(Reason.MEMORY_LIMIT, line, "the render would allocate more than " + bytes
                    + " bytes, above the limit of " + limits.maxRenderBytes());
        }
    }

    void enter(int line, String what) {
        if (++depth > limits.maxDepth()) {
            throw new TemplateError(Reason.DEPTH_LIMIT, line, what + " nested deeper than " + limits.maxDepth()
                    + " levels");
        }
    }

    void exit() {
        depth--;
    }
}
