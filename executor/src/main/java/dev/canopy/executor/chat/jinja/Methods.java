package dev.canopy.executor.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's methods of {@code str}, {@code dict} and {@code list} that templates call, e.g.
 * {@code content.split('</think>')[-1].lstrip('\n')} or {@code message.get('name', '')}. Each charges the
 * size of what it reads and builds to the render's budget before it runs.
 */
final class Methods {

    private Methods() {}

    static Object call(Renderer r, Object self, String name, List<Object> args, Map<String, Object> kwargs, int line) {
        return switch (self) {
            case String s -> StringMethods.call(r, s, name, args, kwargs, line);
            case Map<?, ?> m -> dict(r, m, name, args, line);
            case List<?> l -> list(r, l, name, args, line);
            default -> throw TemplateError.error(line, "'" + Values.typeName(self) + "' has no method '" + name + "'");
        };
    }

    private static Object dict(Renderer r, Map<?, ?> m, String name, List<Object> args, int line) {
        r.budget.list(line, m.size(), "dict." + name + "()");
        return switch (name) {
            case "items" -> {
                List<Object> out = new ArrayList<>(m.size());
                m.forEach((k, v) -> out.add(new Tuple(java.util.Arrays.asList(k, v))));
                yield out;
            }
            case "keys" -> new ArrayList<Object>(m.keySet());
            case "values" -> new ArrayList<Object>(m.values());
            default -> {
                if (args.isEmpty()) {
                    throw TemplateError.error(line, "get expected at least 1 argument, got 0");
                }
                Object key = Values.findKey(m, args.get(0));
                yield key != null || m.containsKey(args.get(0)) ? m.get(key) : args.size() > 1 ? args.get(1) : null;
            }
        };
    }

    private static Object list(Renderer r, List<?> l, String name, List<Object> args, int line) {
        if (args.size() != 1) {
            throw TemplateError.error(line, name + "() takes exactly one argument (" + args.size() + " given)");
        }
        r.budget.step(line, 1 + l.size() / 64);
        long count = 0;
        for (int i = 0; i < l.size(); i++) {
            if (Values.eq(l.get(i), args.get(0))) {
                if (name.equals("index")) {
                    return (long) i;
                }
                count++;
            }
        }
        if (name.equals("index")) {
            throw TemplateError.error(line, Values.repr(args.get(0)) + " is not in list");
        }
        return count;
    }

    static String stringArg(List<Object> args, int i, String method, int line) {
        Object v = args.get(i);
        if (!(v instanceof String s)) {
            throw TemplateError.error(line, method + "() argument " + (i + 1) + " must be str, not "
                    + Values.typeName(v));
        }
        return s;
    }

    static long intArg(Object v, String method, int line) {
        if (!Values.isInteger(v) && !(v instanceof Boolean)) {
            throw TemplateError.error(line, "'" + Values.typeName(v) + "' object cannot be interpreted as an integer in "
                    + method + "()");
        }
        return Arith.clamp(v, 1L << 40);
    }
}
