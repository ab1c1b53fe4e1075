package dev.canopy.executor.chat.jinja;

import dev.canopy.executor.chat.ChatTemplateError.Reason;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The functions every template can call, as transformers defines them: {@code range}, {@code namespace},
 * {@code dict}, {@code raise_exception(message)} and {@code strftime_now(format)} (reading the clock the
 * render was given).
 */
final class Globals {

    private final ZonedDateTime now;

    Globals(ZonedDateTime now) {
        this.now = now;
    }

    /** The global {@code name}, or {@code missing} if there is none. */
    Object lookup(String name, Object missing) {
        return switch (name) {
            case "range" -> (Callable) this::range;
            case "namespace" -> (Callable) (r, args, kwargs, line) -> {
                Namespace ns = new Namespace();
                for (Object a : args) {
                    if (a instanceof Map<?, ?> m) {
                        m.forEach((k, v) -> ns.attributes.put(Values.str(k), v));
                    }
                }
                ns.attributes.putAll(kwargs);
                return ns;
            };
            case "dict" -> (Callable) (r, args, kwargs, line) -> {
                Map<Object, Object> m = new LinkedHashMap<>();
                if (!args.isEmpty() && args.get(0) instanceof Map<?, ?> first) {
                    m.putAll(first);
                }
                m.putAll(kwargs);
                return m;
            };
            case "raise_exception" -> (Callable) (r, args, kwargs, line) -> {
                throw new TemplateError(Reason.RAISED, line, "the template raised an exception: "
                        + (args.isEmpty() ? "" : Values.str(args.get(0))));
            };
            case "strftime_now" -> (Callable) (r, args, kwargs, line) -> {
                if (args.isEmpty() || !(args.get(0) instanceof String format)) {
                    throw TemplateError.error(line, "strftime_now() takes a format string");
                }
                r.budget.string(line, format.length() * 32L, "strftime_now");
                return Strftime.format(format, now);
            };
            default -> missing;
        };
    }

    private Object range(Renderer r, List<Object> args, Map<String, Object> kwargs, int line) {
        if (args.isEmpty() || args.size() > 3) {
            throw TemplateError.error(line, "range expected 1 to 3 arguments, got " + args.size());
        }
        for (Object a : args) {
            if (!Values.isInteger(a) && !(a instanceof Boolean)) {
                throw TemplateError.error(line, "'" + Values.typeName(a) + "' object cannot be interpreted as an integer");
            }
        }
        long start = args.size() == 1 ? 0 : clamp(args.get(0));
        long stop = clamp(args.get(args.size() == 1 ? 0 : 1));
        long step = args.size() == 3 ? clamp(args.get(2)) : 1;
        if (step == 0) {
            throw TemplateError.error(line, "range() arg 3 must not be zero");
        }
        long count = step > 0 ? Math.max(0, (stop - start + step - 1) / step) : Math.max(0, (start - stop - step - 1) / -step);
        if (count > r.budget.limits.maxRangeLength()) {
            throw new TemplateError(Reason.LIST_LIMIT, line, "range(" + start + ", " + stop + ", " + step
                    + ") would have " + count + " elements, above the limit of " + r.budget.limits.maxRangeLength());
        }
        r.budget.list(line, count, "range");
        List<Object> out = new ArrayList<>((int) count);
        for (long i = 0, v = start; i < count; i++, v += step) {
            out.add(v);
        }
        return out;
    }

    private static long clamp(Object v) {
        return Arith.clamp(v, 1L << 60);
    }
}
