package dev.canopy.executor.chat;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.objects.SafeString;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The {@code tojson} filter as Hugging Face chat templates define it: Python's
 * {@code json.dumps(value, ensure_ascii=False, indent=indent, separators=separators, sort_keys=sort_keys)}
 * with the default separators {@code ", "} and {@code ": "} (or {@code ","} between items when indented).
 * Only template values serialize (strings, numbers, booleans, none, lists, mappings); anything else
 * stops the render, unlike jinjava's own filter, which hands any Java object to Jackson. Each element
 * written is a render step and the output is bounded by the string limit.
 */
final class TojsonFilter implements Filter {

    @Override
    public String getName() {
        return "tojson";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        RenderBudget budget = RenderBudget.current();
        Object indentArg = kwargs.containsKey("indent") ? kwargs.get("indent") : args.length > 0 ? args[0] : null;
        String indent = indentArg == null ? null
                : indentArg instanceof Number n ? " ".repeat((int) Math.min(Math.max(0, n.longValue()), 64))
                : indentArg.toString();
        boolean sortKeys = Boolean.TRUE.equals(kwargs.get("sort_keys"));
        StringBuilder out = new StringBuilder();
        write(var, out, indent, 0, sortKeys, budget);
        return out.toString();
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, (Object[]) args, Map.of());
    }

    private static void write(Object v, StringBuilder out, String indent, int depth, boolean sortKeys,
                              RenderBudget budget) {
        budget.step(1);
        if (depth > budget.limits().maxDepth()) {
            throw budget.stop(ChatTemplateError.Reason.DEPTH_LIMIT, "tojson: value nested deeper than "
                    + budget.limits().maxDepth() + " levels");
        }
        Bounds.checkLength(out.length(), "filter tojson", budget);
        if (v == null) {
            out.append("null");
        } else if (v instanceof String || v instanceof SafeString) {
            quote(v.toString(), out);
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Number n) {
            out.append(number(n));
        } else if (v instanceof Map<?, ?> map) {
            List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
            if (sortKeys) {
                entries.sort((a, b) -> String.valueOf(a.getKey()).compareTo(String.valueOf(b.getKey())));
            }
            out.append('{');
            for (int i = 0; i < entries.size(); i++) {
                separate(out, i, indent, depth + 1);
                quote(String.valueOf(entries.get(i).getKey()), out);
                out.append(": ");
                write(entries.get(i).getValue(), out, indent, depth + 1, sortKeys, budget);
            }
            close(out, '}', entries.isEmpty(), indent, depth);
        } else if (v instanceof Collection<?> list) {
            out.append('[');
            int i = 0;
            for (Object item : list) {
                separate(out, i++, indent, depth + 1);
                write(item, out, indent, depth + 1, sortKeys, budget);
            }
            close(out, ']', list.isEmpty(), indent, depth);
        } else {
            throw budget.stop(ChatTemplateError.Reason.FORBIDDEN, "tojson cannot serialize "
                    + TemplateValues.describe(v) + "; only strings, numbers, booleans, none, lists and mappings");
        }
    }

    private static void separate(StringBuilder out, int index, String indent, int depth) {
        if (index > 0) {
            out.append(indent == null ? ", " : ",");
        }
        if (indent != null) {
            out.append('\n').append(indent.repeat(depth));
        }
    }

    private static void close(StringBuilder out, char bracket, boolean empty, String indent, int depth) {
        if (indent != null && !empty) {
            out.append('\n').append(indent.repeat(depth));
        }
        out.append(bracket);
    }

    /** Python's JSON number formatting for the numbers templates see. */
    static String number(Number n) {
        if (!(n instanceof Double || n instanceof Float)) {
            return n.toString();
        }
        double d = n.doubleValue();
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        String s = Double.toString(d);
        int e = s.indexOf('E');
        if (e < 0) {
            return s;
        }
        String mantissa = s.substring(0, e).endsWith(".0") ? s.substring(0, e - 2) : s.substring(0, e);
        int exponent = Integer.parseInt(s.substring(e + 1));
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }

    /** A JSON string literal with Python's escapes (ensure_ascii=False: non-ASCII characters stay as they are). */
    static void quote(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
