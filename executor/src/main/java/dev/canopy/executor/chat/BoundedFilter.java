package dev.canopy.executor.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import java.util.Map;
import java.util.Objects;

/**
 * One of jinjava's filters, made safe for untrusted templates: every call is a render step, its input
 * must be a plain template value ({@link TemplateValues}), filters that can make their output much
 * larger than their input are checked from their arguments before they run, and every result is
 * checked against the string and list limits.
 */
final class BoundedFilter implements Filter {

    private final Filter delegate;

    BoundedFilter(Filter delegate) {
        this.delegate = delegate;
    }

    @Override
    public String getName() {
        return delegate.getName();
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        RenderBudget budget = RenderBudget.current();
        budget.step(1);
        Object[] positional = args == null ? new Object[0] : args;
        Map<String, Object> named = kwargs == null ? Map.of() : kwargs;
        checkPlain(var, budget);
        for (Object a : positional) {
            checkPlain(a, budget);
        }
        for (Object a : named.values()) {
            checkPlain(a, budget);
        }
        checkGrowth(var, positional, named, budget);
        Object result = delegate.filter(var, interpreter, positional, named);
        return Bounds.checked(result, "filter " + getName(), budget);
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, (Object[]) args, Map.of());
    }

    private void checkPlain(Object value, RenderBudget budget) {
        if (!TemplateValues.isPlain(value)) {
            throw budget.stop(ChatTemplateError.Reason.FORBIDDEN, "filter " + getName() + " cannot take "
                    + TemplateValues.describe(value) + ": templates may pass only strings, numbers, booleans, lists "
                    + "and mappings");
        }
    }

    /** Bounds the output of the filters whose output size is set by an argument rather than by their input. */
    private void checkGrowth(Object var, Object[] args, Map<String, Object> kwargs, RenderBudget budget) {
        String text = Objects.toString(var, "");
        switch (getName()) {
            case "replace" -> {
                if (args.length >= 2) {
                    long count = args.length >= 3 ? number(args[2], -1) : -1;
                    Bounds.checkReplace(text, String.valueOf(args[0]), String.valueOf(args[1]), count, budget);
                }
            }
            case "indent" -> {
                long width = Math.max(number(args.length > 0 ? args[0] : null, 4), number(kwargs.get("width"), 4));
                long lines = text.chars().filter(c -> c == '\n').count() + 1;
                Bounds.checkLength(text.length() + lines * Math.max(0, width), "filter indent", budget);
            }
            case "center" -> Bounds.checkLength(Math.max(text.length(), number(args.length > 0 ? args[0] : null, 80)),
                    "filter center", budget);
            case "batch" -> Bounds.checkSize(number(args.length > 0 ? args[0] : null, 0), "filter batch", budget);
            default -> { }
        }
    }

    /** A numeric argument as the filters parse it, or {@code fallback}. */
    private static long number(Object arg, long fallback) {
        if (arg instanceof Number n) {
            return n.longValue();
        }
        if (arg == null) {
            return fallback;
        }
        try {
            return (long) Double.parseDouble(arg.toString().trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
