package dev.canopy.executor.chat.jinja;

import dev.canopy.executor.chat.ChatTemplateError.Reason;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Jinja2's built-in filters with Jinja2's arguments and results, and transformers' {@code tojson}. A
 * Jinja2 filter Canopy does not implement (HTML helpers, {@code random}...) fails the render, naming it;
 * a name Jinja2 does not know fails when the template is compiled, as in Jinja2.
 */
final class Filters {

    private static final Set<String> IMPLEMENTED = Set.of("abs", "attr", "batch", "capitalize", "center", "count",
            "d", "default", "dictsort", "e", "escape", "first", "float", "forceescape", "format", "indent", "int", "items",
            "join", "last", "length", "list", "lower", "map", "max", "min", "reject", "rejectattr", "replace", "reverse",
            "round", "safe", "select", "selectattr", "sort", "string", "sum", "title", "tojson", "trim", "unique", "upper",
            "wordcount");
    private static final Set<String> NOT_IMPLEMENTED = Set.of("filesizeformat", "groupby", "pprint", "random",
            "slice", "striptags", "truncate", "urlencode", "urlize", "wordwrap", "xmlattr");

    private Filters() {}

    static boolean exists(String name) {
        return IMPLEMENTED.contains(name) || NOT_IMPLEMENTED.contains(name);
    }

    static Object apply(Renderer r, String name, Object v, List<Object> args, Map<String, Object> kw, int line) {
        Budget b = r.budget;
        b.step(line);
        if (NOT_IMPLEMENTED.contains(name)) {
            throw new TemplateError(Reason.FORBIDDEN, line, "filter '" + name + "' is not available in Canopy's "
                    + "template renderer");
        }
        Args a = new Args(name, args, kw, line);
        return switch (name) {
            case "abs" -> v instanceof Double d ? Math.abs(d) : Values.isNumber(v) ? Arith.big(v).abs().bitLength() < 64
                    ? (Object) Arith.big(v).abs().longValue() : Arith.big(v).abs() : fail(line, "bad operand type for abs(): '"
                    + Values.typeName(v) + "'");
            case "attr" -> Access.attribute(v, Values.str(a.get(0, "name", null)), line);
            case "batch" -> ListFilters.batch(v, Methods.intArg(a.get(0, "linecount", null), name, line), a.get(1, "fill_with", null),
                    a.has(1, "fill_with"), b, line);
            case "capitalize" -> StringMethods.call(r, Values.str(v), "capitalize", List.of(), Map.of(), line);
            case "center" -> StringMethods.pad(Values.str(v), "center", Methods.intArg(a.get(0, "width", 80L), name,
                    line), " ", b, line);
            case "count", "length" -> Values.length(v, line);
            case "d", "default" -> (v instanceof Undefined || Values.truthy(a.get(1, "boolean", false)) && !Values.truthy(v))
                    ? a.get(0, "default_value", "") : v;
            case "dictsort" -> ListFilters.dictsort(v, a, b, line);
            case "e", "escape", "forceescape" -> escape(Values.str(v), b, line);
            case "first" -> Values.iterate(v, line).isEmpty() ? new Undefined("no first item, sequence was empty")
                    : Values.iterate(v, line).get(0);
            case "last" -> {
                List<Object> items = Values.iterate(v, line);
                yield items.isEmpty() ? new Undefined("no last item, sequence was empty") : items.getLast();
            }
            case "float" -> toFloat(v, a.get(0, "default", 0.0));
            case "int" -> toInt(v, a.get(0, "default", 0L));
            case "format" -> Formatting.percent(Values.str(v), args.size() == 1 ? args.get(0) : new Tuple(args), b, line);
            case "indent" -> indent(Values.str(v), a.get(0, "width", 4L), Values.truthy(a.get(1, "first", false)),
                    Values.truthy(a.get(2, "blank", false)), b, line);
            case "items" -> v instanceof Undefined ? new ArrayList<>() : v instanceof Map<?, ?> m
                    ? Methods.call(r, m, "items", List.of(), Map.of(), line) : fail(line, "Can only get item pairs from a mapping.");
            case "join" -> join(r, ListFilters.attributeOf(Values.iterate(v, line), a.get(1, "attribute", null), line),
                    Values.str(a.get(0, "d", "")), line);
            case "list" -> {
                List<Object> items = Values.iterate(v, line);
                b.list(line, items.size(), "list");
                yield items;
            }
            case "lower" -> Values.str(v).toLowerCase(Locale.ROOT);
            case "upper" -> Values.str(v).toUpperCase(Locale.ROOT);
            case "title" -> title(Values.str(v));
            case "trim" -> PyStrings.strip(Values.str(v), a.get(0, "chars", null) instanceof String s ? s : null, true, true);
            case "map" -> ListFilters.map(r, Values.iterate(v, line), args, kw, line);
            case "select", "reject" -> ListFilters.select(r, Values.iterate(v, line), null, args, name.equals("select"), line);
            case "selectattr", "rejectattr" -> ListFilters.select(r, Values.iterate(v, line), Values.str(a.get(0, "attr", null)),
                    args.subList(1, args.size()), name.equals("selectattr"), line);
            case "max", "min" -> ListFilters.extreme(v, a, name.equals("max"), line);
            case "replace" -> StringMethods.replace(Values.str(v), Values.str(a.get(0, "old", null)),
                    Values.str(a.get(1, "new", null)), a.get(2, "count", null) == null ? -1
                            : Methods.intArg(a.get(2, "count", null), name, line), b, line);
            case "reverse" -> {
                if (v instanceof String s) {
                    yield new StringBuilder(s).reverse().toString();
                }
                List<Object> items = Values.iterate(v, line);
                java.util.Collections.reverse(items);
                yield items;
            }
            case "round" -> round(v, a.get(0, "precision", 0L), Values.str(a.get(1, "method", "common")), line);
            case "safe" -> v;
            case "string" -> Values.str(v);
            case "sort" -> ListFilters.sort(Values.iterate(v, line), a, b, line);
            case "sum" -> {
                Object total = a.get(1, "start", 0L);
                for (Object item : ListFilters.attributeOf(Values.iterate(v, line), a.get(0, "attribute", null), line)) {
                    total = Arith.binary("+", total, item, b, line);
                }
                yield total;
            }
            case "tojson" -> tojson(v, a, b, line);
            case "unique" -> {
                List<Object> out = new ArrayList<>();
                for (Object item : Values.iterate(v, line)) {
                    b.step(line, 1 + out.size() / 64);
                    if (out.stream().noneMatch(o -> Values.eq(ListFilters.fold(o), ListFilters.fold(item)))) {
                        out.add(item);
                    }
                }
                yield out;
            }
            case "wordcount" -> (long) StringMethods.split(Values.str(v), null, -1L, false, b, line).size();
            default -> fail(line, "unknown filter '" + name + "'");
        };
    }

    private static Object fail(int line, String detail) {
        throw TemplateError.error(line, detail);
    }

    /** Positional-or-keyword arguments of one filter call. */
    record Args(String filter, List<Object> args, Map<String, Object> kw, int line) {
        Object get(int i, String name, Object dflt) {
            return i < args.size() ? args.get(i) : kw.containsKey(name) ? kw.get(name) : dflt;
        }

        boolean has(int i, String name) {
            return i < args.size() || kw.containsKey(name);
        }
    }

    static String join(Renderer r, List<Object> items, String sep, int line) {
        long total = 0;
        for (Object o : items) {
            total += Values.str(o).length() + sep.length();
        }
        r.budget.string(line, total, "join");
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : sep).append(Values.str(items.get(i)));
        }
        return sb.toString();
    }









    private static String escape(String s, Budget b, int line) {
        b.string(line, s.length() * 5L, "escape");
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&#34;")
                .replace("'", "&#39;");
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean wordStart = true;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            boolean separator = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || PyStrings.space(c);
            sb.appendCodePoint(separator ? c : wordStart ? Character.toUpperCase(c) : Character.toLowerCase(c));
            wordStart = separator;
        }
        return sb.toString();
    }

    private static String indent(String s, Object width, boolean first, boolean blank, Budget b, int line) {
        String pad = width instanceof String w ? w : null;
        if (pad == null) {
            long n = Methods.intArg(width, "indent", line);
            List<String> lines = StringMethods.splitlines(s + "\n");
            b.string(line, s.length() + (lines.size() + 1) * Math.max(0, n), "filter indent");
            pad = " ".repeat((int) Math.max(0, n));
        }
        List<String> lines = StringMethods.splitlines(s + "\n");
        b.string(line, s.length() + (lines.size() + 1L) * pad.length(), "filter indent");
        StringBuilder sb = new StringBuilder();
        if (blank) {
            sb.append(String.join("\n" + pad, lines));
        } else {
            sb.append(lines.get(0));
            for (int i = 1; i < lines.size(); i++) {
                sb.append('\n');
                if (!lines.get(i).isEmpty()) {
                    sb.append(pad);
                }
                sb.append(lines.get(i));
            }
        }
        return first ? pad + sb : sb.toString();
    }

    private static Object round(Object v, Object precisionValue, String method, int line) {
        if (!Values.isNumber(v)) {
            throw TemplateError.error(line, "type " + Values.typeName(v) + " doesn't define __round__ method");
        }
        long precision = Methods.intArg(precisionValue, "round", line);
        if (!method.equals("common") && !method.equals("ceil") && !method.equals("floor")) {
            throw TemplateError.error(line, "method must be common, ceil or floor");
        }
        if (Values.isInteger(v) && method.equals("common")) {
            return precision >= 0 ? v : round(Arith.toDouble(v), precision, RoundingMode.HALF_EVEN);
        }
        double d = Arith.toDouble(v);
        RoundingMode mode = switch (method) {
            case "ceil" -> RoundingMode.CEILING;
            case "floor" -> RoundingMode.FLOOR;
            default -> RoundingMode.HALF_EVEN;
        };
        return round(d, precision, mode);
    }

    /** Rounds at most to 400 digits: a double has no digits beyond, so any larger precision changes nothing. */
    private static double round(double d, long precision, RoundingMode mode) {
        if (Double.isNaN(d) || Double.isInfinite(d) || precision > 400) {
            return d;
        }
        if (precision < -400) {
            return 0.0 * Math.signum(d);
        }
        return new BigDecimal(d).setScale((int) precision, mode).doubleValue();
    }

    private static Object toFloat(Object v, Object dflt) {
        if (Values.isNumber(v)) {
            return Arith.toDouble(v);
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.strip());
            } catch (NumberFormatException e) {
                return dflt;
            }
        }
        return dflt;
    }

    private static Object toInt(Object v, Object dflt) {
        if (Values.isInteger(v)) {
            return v;
        }
        if (v instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        if (v instanceof Double d) {
            return Double.isFinite(d) ? Parser.integer(new BigDecimal(d).toBigInteger().toString()) : dflt;
        }
        if (v instanceof String s) {
            String t = s.strip().replace("_", "");
            try {
                return Parser.integer(new java.math.BigInteger(t).toString());
            } catch (NumberFormatException e) {
                try {
                    return Parser.integer(new BigDecimal(t).toBigInteger().toString());
                } catch (NumberFormatException e2) {
                    return dflt;
                }
            }
        }
        return dflt;
    }

    private static String tojson(Object v, Args a, Budget b, int line) {
        Object indent = a.get(1, "indent", null);
        Object separators = a.get(2, "separators", null);
        String pad = indent == null ? null : indent instanceof String s ? s : " ".repeat((int) Math.max(0,
                Methods.intArg(indent, "tojson", line)));
        String itemSep = pad == null ? ", " : ",";
        String keySep = ": ";
        if (separators instanceof List<?> seps && seps.size() == 2) {
            itemSep = Values.str(seps.get(0));
            keySep = Values.str(seps.get(1));
        }
        if (v instanceof Undefined) {
            throw TemplateError.error(line, "Object of type Undefined is not JSON serializable");
        }
        return new Json(pad, itemSep, keySep, Values.truthy(a.get(4, "sort_keys", false)),
                Values.truthy(a.get(0, "ensure_ascii", false)), b, line).write(v);
    }

}
