package dev.canopy.executor.chat;

import java.util.OptionalInt;

/**
 * Why a chat template could not render a conversation.
 *
 * @param template the template's name (for a model's own template, the model file)
 * @param reason the kind of failure; for a limit, which bound was hit
 * @param line the template line where it failed, when known (1-based)
 * @param detail what happened, with the values involved
 */
public record ChatTemplateError(String template, Reason reason, OptionalInt line, String detail) {

    /** Kinds of failure. Each limit has its own reason, so an error always says which bound stopped a render. */
    public enum Reason {
        /** The template does not parse, or uses an unknown tag, filter or function. */
        SYNTAX,
        /** The template called {@code raise_exception(message)}, e.g. for roles in an order it does not accept. */
        RAISED,
        /** The template tried something the sandbox refuses: a Java method, a file, a disabled tag or filter. */
        FORBIDDEN,
        /** The rendered prompt exceeded {@link ChatTemplateLimits#maxOutputChars()}. */
        OUTPUT_LIMIT,
        /** A string built during the render exceeded {@link ChatTemplateLimits#maxStringChars()}. */
        STRING_LIMIT,
        /** A list, map or range exceeded {@link ChatTemplateLimits#maxListSize()} or {@link ChatTemplateLimits#maxRangeLength()}. */
        LIST_LIMIT,
        /** The render took more than {@link ChatTemplateLimits#maxRenderSteps()} steps (loops, recursion). */
        STEP_LIMIT,
        /** Macros recursed, or brackets or values nested, deeper than {@link ChatTemplateLimits#maxDepth()}. */
        DEPTH_LIMIT,
        /** The render allocated more than {@link ChatTemplateLimits#maxRenderBytes()}. */
        MEMORY_LIMIT,
        /** The render ran longer than {@link ChatTemplateLimits#timeout()}. */
        TIMEOUT,
        /** Any other failure of the template on this input, e.g. a division by zero. */
        ERROR
    }

    public ChatTemplateError {
        if (template == null || reason == null || line == null || detail == null) {
            throw new IllegalArgumentException("Cannot create chat template error: template, reason, line and detail "
                    + "must be set");
        }
    }

    /** "Cannot render chat template NAME (line N): DETAIL". */
    public String message() {
        String where = line.isPresent() ? " (line " + line.getAsInt() + ")" : "";
        return "Cannot render chat template " + template + where + ": " + detail;
    }

    @Override
    public String toString() {
        return reason + ": " + message();
    }
}
