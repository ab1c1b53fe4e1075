package dev.canopy.executor.chat.jinja;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's meaning of the plain values templates work with: {@code String}, {@code Long} and
 * {@code BigInteger} (Python int), {@code Double} (float), {@code Boolean}, {@code List}, {@code Map},
 * {@code null} (None), {@link Undefined}, {@link Namespace}, {@link Tuple} and callables: truth, printing,
 * equality, ordering, length and iteration.
 */
final class Values {

    private Values() {}

    static boolean truthy(Object v) {
        return switch (v) {
            case null -> false;
            case Boolean b -> b;
            case String s -> !s.isEmpty();
            case Long l -> l != 0;
            case BigInteger b -> b.signum() != 0;
            case Double d -> d != 0.0;
            case List<?> l -> !l.isEmpty();
            case Map<?, ?> m -> !m.isEmpty();
            case Undefined u -> false;
            default -> true;
        };
    }

    static String typeName(Object v) {
        return switch (v) {
            case null -> "NoneType";
            case Boolean b -> "bool";
            case String s -> "str";
            case Long l -> "int";
            case BigInteger b -> "int";
            case Double d -> "float";
            case Tuple t -> "tuple";
            case List<?> l -> "list";
            case Map<?, ?> m -> "dict";
            case Undefined u -> "Undefined";
            case Namespace n -> "Namespace";
            case LoopObject l -> "LoopContext";
            default -> "function";
        };
    }

    /** Python's {@code str(v)}: what {@code {{ v }}} prints. */
    static String str(Object v) {
        return switch (v) {
            case null -> "None";
            case String s -> s;
            case Undefined u -> "";
            default -> repr(v);
        };
    }

    /** Python's {@code repr(v)}. */
    static String repr(Object v) {
        StringBuilder sb = new StringBuilder();
        repr(v, sb);
        return sb.toString();
    }

    static void repr(Object v, StringBuilder sb) {
        switch (v) {
            case null -> sb.append("None");
            case Boolean b -> sb.append(b ? "True" : "False");
            case String s -> PyStrings.repr(s, sb);
            case Long l -> sb.append(l);
            case BigInteger b -> sb.append(b);
            case Double d -> sb.append(floatRepr(d));
            case Undefined u -> sb.append("");
            case Tuple t -> {
                sb.append('(');
                join(t, sb);
                sb.append(t.size() == 1 ? ",)" : ")");
            }
            case List<?> l -> {
                sb.append('[');
                join(l, sb);
                sb.append(']');
            }
            case Map<?, ?> m -> {
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(first ? "" : ", ");
                    first = false;
                    repr(e.getKey(), sb);
                    sb.append(": ");
                    repr(e.getValue(), sb);
                }
                sb.append('}');
            }
            case Namespace n -> sb.append("<Namespace ").append(repr(n.attributes)).append('>');
            default -> sb.append("<").append(typeName(v)).append(">");
        }
    }

    private static void join(List<?> items, StringBuilder sb) {
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : ", ");
            repr(items.get(i), sb);
        }
    }

    /** Python's float repr: the shortest digits that read back, scientific below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int exponent = digits.length() - 1 - exact.scale();
        String sign = d < 0 ? "-" : "";
        if (exponent < -4 || exponent >= 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = exact.toPlainString();
        return sign + (plain.contains(".") ? plain : plain + ".0");
    }

    /** Python's {@code ==}. */
    static boolean eq(Object a, Object b) {
        if (a == b) {
            return true;
        }
        if (isNumber(a) && isNumber(b)) {
            return Arith.compareNumbers(a, b) == 0;
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if ((a instanceof Tuple) != (b instanceof Tuple) || x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (Map.Entry<?, ?> e : x.entrySet()) {
                Object key = findKey(y, e.getKey());
                if (key == null && !y.containsKey(null) || !eq(e.getValue(), y.get(key))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Undefined && b instanceof Undefined) {
            return true;
        }
        return a != null && a.equals(b);
    }

    /** The key of {@code map} equal to {@code key} in Python's sense (1 and 1.0 are the same key). */
    static Object findKey(Map<?, ?> map, Object key) {
        if (map.containsKey(key)) {
            return key;
        }
        if (isNumber(key)) {
            for (Object k : map.keySet()) {
                if (isNumber(k) && eq(k, key)) {
                    return k;
                }
            }
        }
        return null;
    }

    static boolean isNumber(Object v) {
        return v instanceof Long || v instanceof Double || v instanceof BigInteger || v instanceof Boolean;
    }

    static boolean isInteger(Object v) {
        return v instanceof Long || v instanceof BigInteger;
    }

    /** Python's ordering ({@code <}): numbers, strings, and lists element by element. */
    static int compare(Object a, Object b, int line) {
        if (isNumber(a) && isNumber(b)) {
            return Arith.compareNumbers(a, b);
        }
        if (a instanceof String x && b instanceof String y) {
            return PyStrings.compare(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            for (int i = 0; i < Math.min(x.size(), y.size()); i++) {
                if (!eq(x.get(i), y.get(i))) {
                    return compare(x.get(i), y.get(i), line);
                }
            }
            return Integer.compare(x.size(), y.size());
        }
        throw TemplateError.error(line, "'<' not supported between instances of '" + typeName(a) + "' and '"
                + typeName(b) + "'");
    }

    /** Python's {@code len(v)}. */
    static long length(Object v, int line) {
        return switch (v) {
            case null -> throw TemplateError.error(line, "object of type 'NoneType' has no len()");
            case String s -> PyStrings.length(s);
            case List<?> l -> l.size();
            case Map<?, ?> m -> m.size();
            case Undefined u -> 0;
            default -> throw TemplateError.error(line, "object of type '" + typeName(v) + "' has no len()");
        };
    }

    /** The items of {@code v} as Python's {@code for} sees them: characters, elements, or keys. */
    static List<Object> iterate(Object v, int line) {
        return switch (v) {
            case null -> throw TemplateError.error(line, "'NoneType' object is not iterable");
            case String s -> PyStrings.characters(s);
            case List<?> l -> new ArrayList<>(l);
            case Map<?, ?> m -> new ArrayList<>(m.keySet());
            case Undefined u -> List.of();
            case Namespace n -> throw TemplateError.error(line, "'Namespace' object is not iterable");
            default -> throw TemplateError.error(line, "'" + typeName(v) + "' object is not iterable");
        };
    }

    /** Python's {@code x in container}. */
    static boolean contains(Object container, Object x, Renderer r, int line) {
        switch (container) {
            case null -> throw TemplateError.error(line, "argument of type 'NoneType' is not iterable");
            case String s -> {
                if (!(x instanceof String needle)) {
                    throw TemplateError.error(line, "'in <string>' requires string as left operand, not "
                            + typeName(x));
                }
                return PyStrings.indexOf(s, needle, 0, r.budget, line) >= 0;
            }
            case List<?> l -> {
                r.budget.step(line, l.size());
                for (Object o : l) {
                    if (eq(o, x)) {
                        return true;
                    }
                }
                return false;
            }
            case Map<?, ?> m -> {
                return findKey(m, x) != null || m.containsKey(x);
            }
            case Undefined u -> {
                return false;
            }
            default -> throw TemplateError.error(line, "argument of type '" + typeName(container)
                    + "' is not iterable");
        }
    }

}
