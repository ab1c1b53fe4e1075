package dev.canopy.executor.chat.jinja;

import dev.canopy.executor.chat.ChatTemplateError.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code x.name}, {@code x[key]} and {@code x[a:b:c]} as Jinja2's sandbox resolves them: the methods of
 * strings, lists and dicts that {@link Methods} implements, then the mapping's keys. Anything else is
 * {@link Undefined}; no Java member of any value is reachable.
 */
final class Access {

    static final Set<String> DICT_METHODS = Set.of("items", "keys", "values", "get");
    static final Set<String> STRING_METHODS = Set.of("strip", "lstrip", "rstrip", "split", "rsplit", "splitlines",
            "startswith", "endswith", "upper", "lower", "title", "capitalize", "swapcase", "replace", "find", "rfind",
            "index", "rindex", "count", "join", "format", "isdigit", "isalpha", "isalnum", "isspace", "isupper",
            "islower", "isnumeric", "isdecimal", "center", "ljust", "rjust", "zfill", "partition", "rpartition",
            "removeprefix", "removesuffix", "casefold", "expandtabs", "istitle");
    static final Set<String> LIST_METHODS = Set.of("count", "index");
    /** Methods that change a value: Jinja2's ImmutableSandboxedEnvironment refuses them. */
    static final Set<String> MUTATING = Set.of("append", "extend", "insert", "pop", "remove", "clear", "sort",
            "reverse", "update", "setdefault", "popitem", "add", "discard");

    private Access() {}

    static Object attribute(Object target, String name, int line) {
        switch (target) {
            case null -> {
                return new Undefined("'None' has no attribute '" + name + "'");
            }
            case Undefined u -> throw u.error(line);
            case Namespace ns -> {
                return ns.attributes.containsKey(name) ? ns.attributes.get(name)
                        : new Undefined("'Namespace' object has no attribute '" + name + "'");
            }
            case LoopObject loop -> {
                return loop.attribute(name);
            }
            case Map<?, ?> m -> {
                if (DICT_METHODS.contains(name) || MUTATING.contains(name)) {
                    return method(target, name);
                }
                Object key = Values.findKey(m, name);
                return key != null ? m.get(key) : new Undefined("'dict object' has no attribute '" + name + "'");
            }
            case String s when STRING_METHODS.contains(name) -> {
                return method(target, name);
            }
            case List<?> l when LIST_METHODS.contains(name) || MUTATING.contains(name) -> {
                return method(target, name);
            }
            default -> {
                return new Undefined("'" + Values.typeName(target) + " object' has no attribute '" + name + "'");
            }
        }
    }

    private static Callable method(Object self, String name) {
        if (MUTATING.contains(name)) {
            return (r, args, kwargs, line) -> {
                throw new TemplateError(Reason.FORBIDDEN, line, "access to attribute '" + name + "' of '"
                        + Values.typeName(self) + "' object is unsafe: templates cannot change values");
            };
        }
        return (r, args, kwargs, line) -> Methods.call(r, self, name, args, kwargs, line);
    }

    static Object item(Object target, Object key, int line) {
        switch (target) {
            case null -> {
                return new Undefined("'None' has no item " + Values.repr(key));
            }
            case Undefined u -> throw u.error(line);
            case Map<?, ?> m -> {
                Object k = Values.findKey(m, key);
                if (k != null || m.containsKey(key)) {
                    return m.get(k);
                }
                return key instanceof String s && DICT_METHODS.contains(s) ? method(target, s)
                        : new Undefined("'dict object' has no attribute " + Values.repr(key));
            }
            case Namespace ns -> {
                return key instanceof String s ? attribute(ns, s, line) : new Undefined("no such item");
            }
            case LoopObject loop -> {
                return key instanceof String s ? loop.attribute(s) : new Undefined("no such item");
            }
            case List<?> l when Values.isInteger(key) || key instanceof Boolean -> {
                long i = Arith.clamp(key, 1L << 40);
                long at = i < 0 ? i + l.size() : i;
                return at >= 0 && at < l.size() ? l.get((int) at)
                        : new Undefined(Values.typeName(target) + " object has no element " + key);
            }
            case String s when Values.isInteger(key) -> {
                long n = PyStrings.length(s);
                long i = Arith.clamp(key, 1L << 40);
                long at = i < 0 ? i + n : i;
                if (at < 0 || at >= n) {
                    return new Undefined("str object has no element " + key);
                }
                int from = PyStrings.offset(s, at);
                return s.substring(from, s.offsetByCodePoints(from, 1));
            }
            case String s when key instanceof String name -> {
                return attribute(target, name, line);
            }
            case List<?> l when key instanceof String name -> {
                return attribute(target, name, line);
            }
            default -> {
                return new Undefined("'" + Values.typeName(target) + " object' has no attribute " + Values.repr(key));
            }
        }
    }

    /** Python's {@code target[start:stop:step]} on a string, list or tuple. */
    static Object slice(Object target, Object start, Object stop, Object step, Budget budget, int line) {
        if (target instanceof Undefined u) {
            throw u.error(line);
        }
        long n = switch (target) {
            case null -> throw TemplateError.error(line, "'NoneType' object is not subscriptable");
            case String s -> PyStrings.length(s);
            case List<?> l -> l.size();
            default -> throw TemplateError.error(line, "'" + Values.typeName(target) + "' object is not subscriptable");
        };
        long st = step == null ? 1 : index(step, line);
        if (st == 0) {
            throw TemplateError.error(line, "slice step cannot be zero");
        }
        long lo = st > 0 ? 0 : -1;
        long hi = st > 0 ? n : n - 1;
        long a = start == null ? (st > 0 ? 0 : n - 1) : clamp(index(start, line), n, lo, hi);
        long b = stop == null ? (st > 0 ? n : -1) : clamp(index(stop, line), n, lo, hi);
        List<Long> picks = new ArrayList<>();
        long count = st > 0 ? Math.max(0, (b - a + st - 1) / st) : Math.max(0, (a - b - st - 1) / -st);
        budget.list(line, count, "a slice");
        for (long i = a; st > 0 ? i < b : i > b; i += st) {
            picks.add(i);
        }
        if (target instanceof String s) {
            budget.string(line, count * 2, "a slice");
            StringBuilder sb = new StringBuilder();
            if (PyStrings.ascii16(s)) {
                for (long i : picks) {
                    sb.append(s.charAt((int) i));
                }
                return sb.toString();
            }
            List<Object> chars = PyStrings.characters(s);
            for (long i : picks) {
                sb.append((String) chars.get((int) i));
            }
            return sb.toString();
        }
        List<?> l = (List<?>) target;
        List<Object> out = new ArrayList<>(picks.size());
        for (long i : picks) {
            out.add(l.get((int) i));
        }
        return target instanceof Tuple ? new Tuple(out) : out;
    }

    private static long clamp(long i, long n, long lo, long hi) {
        if (i < 0) {
            i += n;
        }
        return Math.max(lo, Math.min(hi, i));
    }

    private static long index(Object v, int line) {
        if (v == null) {
            throw TemplateError.error(line, "slice indices must be integers or None");
        }
        if (!Values.isInteger(v) && !(v instanceof Boolean)) {
            throw TemplateError.error(line, "slice indices must be integers or None or have an __index__ method");
        }
        return Arith.clamp(v, 1L << 40);
    }
}
