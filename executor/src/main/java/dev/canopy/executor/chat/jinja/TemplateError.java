package dev.canopy.executor.chat.jinja;

import dev.canopy.executor.chat.ChatTemplateError.Reason;

/**
 * Why a template could not be parsed or rendered: the kind of failure, the template line (1-based, 0 when
 * unknown) and what happened. Thrown on the rendering thread itself and caught by the caller of
 * {@link Template#render}, which turns it into a value.
 */
public final class TemplateError extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final Reason reason;
    private final int line;

    public TemplateError(Reason reason, int line, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
        this.line = line;
    }

    public Reason reason() {
        return reason;
    }

    /** The template line, 1-based; 0 when unknown. */
    public int line() {
        return line;
    }

    public String detail() {
        return getMessage();
    }

    static TemplateError syntax(int line, String detail) {
        return new TemplateError(Reason.SYNTAX, line, detail);
    }

    static TemplateError error(int line, String detail) {
        return new TemplateError(Reason.ERROR, line, detail);
    }
}
