package dev.canopy.executor.chat.jinja;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Jinja2's tests ({@code x is defined}, {@code x is string}, {@code n is divisibleby 3}...). */
final class Tests {

    private static final Set<String> NAMES = Set.of("boolean", "callable", "defined", "divisibleby", "eq", "equalto",
            "escaped", "even", "false", "filter", "float", "ge", "greaterthan", "gt", "in", "integer", "iterable", "le",
            "lessthan", "lower", "lt", "mapping", "ne", "none", "number", "odd", "sameas", "sequence", "string", "test",
            "true", "undefined", "upper", "==", "!=", "<", "<=", ">", ">=");

    private Tests() {}

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static boolean apply(Renderer r, String name, Object v, List<Object> args, int line) {
        r.budget.step(line);
        Object a = args.isEmpty() ? null : args.get(0);
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "integer" -> Values.isInteger(v);
            case "float" -> v instanceof Double;
            case "number" -> Values.isNumber(v);
            case "string" -> v instanceof String;
            case "mapping" -> v instanceof Map<?, ?>;
            case "iterable" -> v instanceof String || v instanceof List<?> || v instanceof Map<?, ?> || v instanceof Undefined;
            case "sequence" -> v instanceof String || v instanceof List<?> || v instanceof Map<?, ?>;
            case "callable" -> v instanceof Callable;
            case "sameas" -> v == a || (v instanceof Boolean && v.equals(a));
            case "escaped" -> false;
            case "eq", "equalto", "==" -> Values.eq(v, a);
            case "ne", "!=" -> !Values.eq(v, a);
            case "lt", "lessthan", "<" -> Values.compare(v, a, line) < 0;
            case "le", "<=" -> Values.compare(v, a, line) <= 0;
            case "gt", "greaterthan", ">" -> Values.compare(v, a, line) > 0;
            case "ge", ">=" -> Values.compare(v, a, line) >= 0;
            case "in" -> Values.contains(a, v, r, line);
            case "odd", "even", "divisibleby" -> {
                if (!Values.isInteger(v) && !(v instanceof Boolean)) {
                    throw TemplateError.error(line, "test '" + name + "' needs an integer, got " + Values.typeName(v));
                }
                long m = name.equals("divisibleby") ? Methods.intArg(a, name, line) : 2;
                if (m == 0) {
                    throw TemplateError.error(line, "integer division or modulo by zero");
                }
                boolean divisible = Arith.big(v).mod(java.math.BigInteger.valueOf(Math.abs(m))).signum() == 0;
                yield name.equals("odd") ? !divisible : divisible;
            }
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase(java.util.Locale.ROOT));
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase(java.util.Locale.ROOT));
            case "filter" -> a instanceof String s && Filters.exists(s);
            default -> a instanceof String s && exists(s);
        };
    }
}
