package dev.canopy.executor.chat;

import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.hubspot.jinjava.objects.collections.PyList;
import com.hubspot.jinjava.objects.date.StrftimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The global functions of Hugging Face chat templates that jinjava lacks or gets wrong:
 * {@code raise_exception(message)}, {@code strftime_now(format)} and a {@code range()} that fails,
 * rather than silently stopping short, when asked for more than
 * {@link ChatTemplateLimits#maxRangeLength()} elements. Called by jinjava through reflection.
 */
public final class TemplateFunctions {

    private TemplateFunctions() {}

    /** The definitions to register in a jinjava context. */
    static List<ELFunctionDefinition> definitions() {
        return List.of(
                new ELFunctionDefinition("", "raise_exception", TemplateFunctions.class, "raiseException", Object.class),
                new ELFunctionDefinition("", "strftime_now", TemplateFunctions.class, "strftimeNow", String.class),
                new ELFunctionDefinition("", "range", TemplateFunctions.class, "range", Object.class, Object[].class));
    }

    /** {@code raise_exception(message)}: fails the render with the template's own message. */
    public static Object raiseException(Object message) {
        throw RenderBudget.current().stop(ChatTemplateError.Reason.RAISED, "the template raised an exception: "
                + message);
    }

    /** {@code strftime_now(format)}: the render's clock reading, formatted as Python's strftime does. */
    public static String strftimeNow(String format) {
        RenderBudget budget = RenderBudget.current();
        budget.step(1);
        Bounds.checkLength(format == null ? 0 : format.length(), "strftime_now", budget);
        return StrftimeFormatter.format(budget.now(), format == null ? "" : format, Locale.ENGLISH);
    }

    /** Python's {@code range(stop)}, {@code range(start, stop)} and {@code range(start, stop, step)}. */
    public static List<Object> range(Object first, Object... rest) {
        RenderBudget budget = RenderBudget.current();
        long start = 0;
        long stop;
        long step = 1;
        if (rest.length == 0) {
            stop = integer(first, budget);
        } else {
            start = integer(first, budget);
            stop = integer(rest[0], budget);
            step = rest.length > 1 ? integer(rest[1], budget) : 1;
            if (rest.length > 2) {
                throw budget.stop(ChatTemplateError.Reason.ERROR, "range() takes at most 3 arguments, got "
                        + (rest.length + 1));
            }
        }
        if (step == 0) {
            throw budget.stop(ChatTemplateError.Reason.ERROR, "range() step must not be zero");
        }
        double length = Math.max(0, Math.ceil(((double) stop - start) / step));
        if (length > budget.limits().maxRangeLength()) {
            throw budget.stop(ChatTemplateError.Reason.LIST_LIMIT, "range(" + start + ", " + stop + ", " + step
                    + ") would have " + (long) length + " elements, above the limit of "
                    + budget.limits().maxRangeLength());
        }
        budget.step(1 + (long) length);
        List<Object> values = new ArrayList<>((int) length);
        for (long v = start, i = 0; i < (long) length; v += step, i++) {
            values.add(v);
        }
        return new PyList(values);
    }

    private static long integer(Object o, RenderBudget budget) {
        if (o instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.longValue();
        }
        throw budget.stop(ChatTemplateError.Reason.ERROR, "range() expects integers, got "
                + TemplateValues.describe(o));
    }
}
