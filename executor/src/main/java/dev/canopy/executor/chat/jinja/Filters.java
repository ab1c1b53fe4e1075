package dev.canopy.executor.chat.jinja;

import dev.canopy.executor.chat.ChatTemplateError.Reason;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
            case "batch" -> batch(v, Methods.intArg(a.get(0, "linecount", null), name, line), a.get(1, "fill_with", null),
                    a.has(1, "fill_with"), b, line);
            case "capitalize" -> StringMethods.call(r, Values.str(v), "capitalize", List.of(), Map.of(), line);
            case "center" -> StringMethods.pad(Values.str(v), "center", Methods.intArg(a.get(0, "width", 80L), name,
                    line), " ", b, line);
            case "count", "length" -> Values.length(v, line);
            case "d", "default" -> (v instanceof Undefined || Values.truthy(a.get(1, "boolean", false)) && !Values.truthy(v))
                    ? a.get(0, "default_value", "") : v;
            case "dictsort" -> dictsort(v, a, b, line);
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
            case "join" -> join(r, attributeOf(Values.iterate(v, line), a.get(1, "attribute", null), line),
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
            case "map" -> map(r, Values.iterate(v, line), args, kw, line);
            case "select", "reject" -> select(r, Values.iterate(v, line), null, args, name.equals("select"), line);
            case "selectattr", "rejectattr" -> select(r, Values.iterate(v, line), Values.str(a.get(0, "attr", null)),
                    args.subList(1, args.size()), name.equals("selectattr"), line);
            case "max", "min" -> extreme(v, a, name.equals("max"), line);
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
            case "sort" -> sort(Values.iterate(v, line), a, b, line);
            case "sum" -> {
                Object total = a.get(1, "start", 0L);
                for (Object item : attributeOf(Values.iterate(v, line), a.get(0, "attribute", null), line)) {
                    total = Arith.binary("+", total, item, b, line);
                }
                yield total;
            }
            case "tojson" -> tojson(v, a, b, line);
            case "unique" -> {
                List<Object> out = new ArrayList<>();
                for (Object item : Values.iterate(v, line)) {
                    b.step(line, 1 + out.size() / 64);
                    if (out.stream().noneMatch(o -> Values.eq(fold(o), fold(item)))) {
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

    private static List<Object> attributeOf(List<Object> items, Object attribute, int line) {
        if (attribute == null) {
            return items;
        }
        List<Object> out = new ArrayList<>(items.size());
        for (Object item : items) {
            out.add(attributePath(item, attribute, line));
        }
        return out;
    }

    /** Jinja2's {@code make_attrgetter}: {@code 'a.b'} or an index. */
    static Object attributePath(Object item, Object attribute, int line) {
        if (!(attribute instanceof String path)) {
            return Access.item(item, attribute, line);
        }
        Object v = item;
        for (String part : path.split("\\.")) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part) : part;
            v = Access.item(v, key, line);
        }
        return v;
    }

    private static Object map(Renderer r, List<Object> items, List<Object> args, Map<String, Object> kw, int line) {
        List<Object> out = new ArrayList<>(items.size());
        if (args.isEmpty() && kw.containsKey("attribute")) {
            for (Object item : items) {
                Object v = attributePath(item, kw.get("attribute"), line);
                out.add(v instanceof Undefined && kw.containsKey("default") ? kw.get("default") : v);
            }
            return out;
        }
        if (args.isEmpty() || !(args.get(0) instanceof String filter) || !exists(filter)) {
            throw TemplateError.error(line, "map needs a filter name or attribute=");
        }
        Map<String, Object> rest = new LinkedHashMap<>(kw);
        for (Object item : items) {
            out.add(apply(r, filter, item, args.subList(1, args.size()), rest, line));
        }
        return out;
    }

    private static List<Object> select(Renderer r, List<Object> items, String attribute, List<Object> args,
                                       boolean keep, int line) {
        List<Object> out = new ArrayList<>();
        for (Object item : items) {
            Object v = attribute == null ? item : attributePath(item, attribute, line);
            boolean pass;
            if (args.isEmpty()) {
                pass = Values.truthy(v);
            } else {
                String test = Values.str(args.get(0));
                if (!Tests.exists(test)) {
                    throw TemplateError.error(line, "no test named '" + test + "'");
                }
                pass = Tests.apply(r, test, v, args.subList(1, args.size()), line);
            }
            if (pass == keep) {
                out.add(item);
            }
        }
        return out;
    }

    private static Object fold(Object v) {
        return v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    private static List<Object> sort(List<Object> items, Args a, Budget b, int line) {
        boolean reverse = Values.truthy(a.get(0, "reverse", false));
        boolean caseSensitive = Values.truthy(a.get(1, "case_sensitive", false));
        Object attribute = a.get(2, "attribute", null);
        b.step(line, 1 + (long) items.size() * 20 / 64);
        List<Object> out = new ArrayList<>(items);
        out.sort((x, y) -> {
            Object kx = attribute == null ? x : attributePath(x, attribute, line);
            Object ky = attribute == null ? y : attributePath(y, attribute, line);
            int c = Values.compare(caseSensitive ? kx : fold(kx), caseSensitive ? ky : fold(ky), line);
            return reverse ? -c : c;
        });
        return out;
    }

    private static Object dictsort(Object v, Args a, Budget b, int line) {
        if (!(v instanceof Map<?, ?> m)) {
            throw TemplateError.error(line, "dictsort needs a mapping, got " + Values.typeName(v));
        }
        boolean caseSensitive = Values.truthy(a.get(0, "case_sensitive", false));
        boolean byValue = "value".equals(a.get(1, "by", "key"));
        boolean reverse = Values.truthy(a.get(2, "reverse", false));
        List<Object> pairs = new ArrayList<>();
        m.forEach((k, val) -> pairs.add(new Tuple(java.util.Arrays.asList(k, val))));
        b.step(line, 1 + (long) pairs.size() * 20 / 64);
        pairs.sort((x, y) -> {
            Object kx = ((List<?>) x).get(byValue ? 1 : 0);
            Object ky = ((List<?>) y).get(byValue ? 1 : 0);
            int c = Values.compare(caseSensitive ? kx : fold(kx), caseSensitive ? ky : fold(ky), line);
            return reverse ? -c : c;
        });
        return pairs;
    }

    private static Object extreme(Object v, Args a, boolean max, int line) {
        boolean caseSensitive = Values.truthy(a.get(0, "case_sensitive", false));
        Object attribute = a.get(1, "attribute", null);
        Object best = null;
        boolean found = false;
        for (Object item : Values.iterate(v, line)) {
            Object key = attribute == null ? item : attributePath(item, attribute, line);
            Object bestKey = !found ? null : attribute == null ? best : attributePath(best, attribute, line);
            if (!found || Values.compare(caseSensitive ? key : fold(key), caseSensitive ? bestKey : fold(bestKey), line)
                    * (max ? 1 : -1) > 0) {
                best = item;
                found = true;
            }
        }
        return found ? best : new Undefined("No aggregated item, sequence was empty.");
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

    private static List<Object> batch(Object v, long size, Object fill, boolean hasFill, Budget b, int line) {
        if (size <= 0) {
            throw TemplateError.error(line, "batch size must be positive");
        }
        List<Object> items = Values.iterate(v, line);
        if (hasFill) {
            b.list(line, items.size() + size, "filter batch");
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i += (int) Math.min(size, Integer.MAX_VALUE)) {
            List<Object> chunk = new ArrayList<>(items.subList(i, (int) Math.min(items.size(), i + size)));
            while (hasFill && chunk.size() < size) {
                chunk.add(fill);
            }
            out.add(chunk);
        }
        return out;
    }
}
