package dev.canopy.executor.chat;

import com.hubspot.jinjava.objects.SafeString;
import com.hubspot.jinjava.util.ForLoop;
import java.util.Collection;
import java.util.Map;

/**
 * The kinds of value a template may pass around: strings, numbers, booleans, none, and lists and maps
 * of them. Anything else (the {@code loop} object, a Java object leaked through jinjava's internals) is
 * refused where filters receive values.
 */
final class TemplateValues {

    private TemplateValues() {}

    /** Whether {@code o} is a plain template value (its elements are checked where they are used). */
    static boolean isPlain(Object o) {
        return o == null || o instanceof String || o instanceof SafeString || o instanceof Number
                || o instanceof Boolean || o instanceof Collection<?> || o instanceof Map<?, ?>;
    }

    /** A short, safe description of {@code o} for error messages: its kind, never its contents. */
    static String describe(Object o) {
        if (o == null) {
            return "none";
        }
        if (o instanceof String || o instanceof SafeString) {
            return "a string";
        }
        if (o instanceof Number) {
            return "a number";
        }
        if (o instanceof Boolean) {
            return "a boolean";
        }
        if (o instanceof Collection<?>) {
            return "a list";
        }
        if (o instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (o instanceof ForLoop) {
            return "the loop object";
        }
        return "a " + o.getClass().getSimpleName() + " object";
    }
}
