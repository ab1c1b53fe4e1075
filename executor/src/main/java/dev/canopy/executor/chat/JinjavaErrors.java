package dev.canopy.executor.chat;

import com.hubspot.jinjava.interpret.CollectionTooBigException;
import com.hubspot.jinjava.interpret.OutputTooBigException;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.interpret.errorcategory.BasicTemplateErrorCategory;
import java.util.List;
import java.util.Optional;

/**
 * Turns the errors jinjava collected during a render into at most one {@link ChatTemplateError}.
 * Jinjava keeps rendering after most errors and leaves the output with holes; Canopy instead treats
 * the first fatal error as the failure of the render, as Jinja does. Warnings (such as a property a map
 * lacks, which Jinja renders as empty) do not fail a render, except for macro recursion past its limit,
 * which jinjava reports only as a warning.
 */
final class JinjavaErrors {

    private JinjavaErrors() {}

    static Optional<ChatTemplateError> firstFailure(String template, List<TemplateError> errors, LineMap lines) {
        for (TemplateError e : errors) {
            Optional<ChatTemplateError.Reason> reason = failure(e);
            if (reason.isPresent()) {
                return Optional.of(new ChatTemplateError(template, reason.get(),
                        lines.original(e.getLineno(), e.getStartPosition()), detail(e)));
            }
        }
        return Optional.empty();
    }

    /** Why {@code e} fails the render, or empty if it does not (a warning). */
    static Optional<ChatTemplateError.Reason> failure(TemplateError e) {
        if (e.getCategory() == BasicTemplateErrorCategory.CYCLE_DETECTED) {
            return Optional.of(ChatTemplateError.Reason.DEPTH_LIMIT);
        }
        return e.getSeverity() == TemplateError.ErrorType.FATAL ? Optional.of(reason(e)) : Optional.empty();
    }

    /** Jinjava's message for {@code e}. */
    static String detail(TemplateError e) {
        return e.getMessage() == null ? e.getReason().toString() : e.getMessage();
    }

    private static ChatTemplateError.Reason reason(TemplateError e) {
        if (e.getReason() == TemplateError.ErrorReason.OUTPUT_TOO_BIG && e.getItem() == TemplateError.ErrorItem.OTHER) {
            return ChatTemplateError.Reason.OUTPUT_LIMIT; // the prompt itself grew too long
        }
        if (e.getReason() == TemplateError.ErrorReason.OUTPUT_TOO_BIG || causedBy(e, OutputTooBigException.class)) {
            return ChatTemplateError.Reason.STRING_LIMIT; // a string built by an expression (~, +)
        }
        if (e.getReason() == TemplateError.ErrorReason.COLLECTION_TOO_BIG
                || causedBy(e, CollectionTooBigException.class)) {
            return ChatTemplateError.Reason.LIST_LIMIT;
        }
        return switch (e.getReason()) {
            case SYNTAX_ERROR, UNKNOWN -> ChatTemplateError.Reason.SYNTAX;
            case DISABLED -> ChatTemplateError.Reason.FORBIDDEN;
            default -> ChatTemplateError.Reason.ERROR;
        };
    }

    private static boolean causedBy(TemplateError e, Class<? extends Throwable> type) {
        int depth = 0;
        for (Throwable t = e.getException(); t != null && depth < 32; t = t.getCause(), depth++) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
