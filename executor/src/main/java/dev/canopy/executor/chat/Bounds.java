package dev.canopy.executor.chat;

import java.util.Collection;
import java.util.Map;

/**
 * Size checks on the values a template builds: strings against
 * {@link ChatTemplateLimits#maxStringChars()}, lists and maps against
 * {@link ChatTemplateLimits#maxListSize()}. Operations whose output can be much larger than their input
 * ({@code replace}, {@code indent}, {@code center}) are checked before they run, from their arguments.
 */
final class Bounds {

    private Bounds() {}

    /** {@code value}, after checking its size; {@code what} names the operation that produced it. */
    static Object checked(Object value, String what, RenderBudget budget) {
        if (value instanceof CharSequence s) {
            checkLength(s.length(), what, budget);
        } else if (value instanceof Collection<?> c) {
            checkSize(c.size(), what, budget);
        } else if (value instanceof Map<?, ?> m) {
            checkSize(m.size(), what, budget);
        } else if (value != null && value.getClass() == com.hubspot.jinjava.objects.SafeString.class) {
            checkLength(value.toString().length(), what, budget);
        }
        return value;
    }

    /** Stops the render if a string of {@code length} chars is over the limit. */
    static void checkLength(long length, String what, RenderBudget budget) {
        int max = budget.limits().maxStringChars();
        if (length > max) {
            throw budget.stop(ChatTemplateError.Reason.STRING_LIMIT, what + " would build a string of " + length
                    + " characters, above the limit of " + max);
        }
    }

    /** Stops the render if a list or map of {@code size} elements is over the limit. */
    static void checkSize(long size, String what, RenderBudget budget) {
        int max = budget.limits().maxListSize();
        if (size > max) {
            throw budget.stop(ChatTemplateError.Reason.LIST_LIMIT, what + " would build a collection of " + size
                    + " elements, above the limit of " + max);
        }
    }

    /** Checks the length of {@code s.replace(old, replacement, limit)} before it is built (Python semantics). */
    static void checkReplace(String s, String old, String replacement, long limit, RenderBudget budget) {
        long occurrences;
        if (old.isEmpty()) {
            occurrences = s.length() + 1L;
        } else {
            occurrences = 0;
            for (int i = s.indexOf(old); i >= 0; i = s.indexOf(old, i + old.length())) {
                occurrences++;
            }
        }
        if (limit >= 0) {
            occurrences = Math.min(occurrences, limit);
        }
        checkLength(s.length() + occurrences * (replacement.length() - (long) old.length()), "replace", budget);
    }

    /** Python's {@code s.replace('', replacement, limit)}: the replacement before each char and at the end. */
    static String replaceEmpty(String s, String replacement, long limit) {
        StringBuilder sb = new StringBuilder();
        long done = 0;
        for (int i = 0; i <= s.length(); i++) {
            if (limit < 0 || done < limit) {
                sb.append(replacement);
                done++;
            }
            if (i < s.length()) {
                sb.append(s.charAt(i));
            }
        }
        return sb.toString();
    }
}
