package dev.canopy.executor.chat.jinja;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * transformers' {@code tojson}: Python's {@code json.dumps(x, ensure_ascii=False, indent=indent,
 * separators=separators, sort_keys=sort_keys)}, with no HTML escaping, byte for byte.
 */
final class Json {

    private final String indent;
    private final String itemSep;
    private final String keySep;
    private final boolean sortKeys;
    private final boolean ensureAscii;
    private final Budget budget;
    private final int line;

    Json(String indent, String itemSep, String keySep, boolean sortKeys, boolean ensureAscii, Budget budget, int line) {
        this.indent = indent;
        this.itemSep = itemSep;
        this.keySep = keySep;
        this.sortKeys = sortKeys;
        this.ensureAscii = ensureAscii;
        this.budget = budget;
        this.line = line;
    }

    String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(v, sb, 0);
        budget.string(line, sb.length(), "tojson");
        return sb.toString();
    }

    private void write(Object v, StringBuilder sb, int depth) {
        budget.step(line);
        if (depth > budget.limits.maxDepth()) {
            throw new TemplateError(dev.canopy.executor.chat.ChatTemplateError.Reason.DEPTH_LIMIT, line,
                    "tojson nested deeper than " + budget.limits.maxDepth() + " levels");
        }
        budget.checkLength(line, sb.length(), "tojson");
        switch (v) {
            case null -> sb.append("null");
            case Boolean b -> sb.append(b ? "true" : "false");
            case Long l -> sb.append(l);
            case java.math.BigInteger b -> sb.append(b);
            case Double d -> sb.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity")
                    : Values.floatRepr(d));
            case String s -> string(s, sb);
            case List<?> l -> container(sb, depth, '[', ']', l.size(), i -> write(l.get(i), sb, depth + 1));
            case Map<?, ?> m -> {
                List<Map.Entry<?, ?>> entries = new ArrayList<>(m.entrySet());
                if (sortKeys) {
                    entries.sort((x, y) -> Values.compare(x.getKey(), y.getKey(), line));
                }
                container(sb, depth, '{', '}', entries.size(), i -> {
                    Object key = entries.get(i).getKey();
                    string(key instanceof String s ? s : key == null ? "null" : key instanceof Boolean b
                            ? (b ? "true" : "false") : Values.str(key), sb);
                    sb.append(keySep);
                    write(entries.get(i).getValue(), sb, depth + 1);
                });
            }
            case Namespace ns -> throw TemplateError.error(line, "Object of type Namespace is not JSON serializable");
            default -> throw TemplateError.error(line, "Object of type " + Values.typeName(v)
                    + " is not JSON serializable");
        }
    }

    private void container(StringBuilder sb, int depth, char open, char close, int n, java.util.function.IntConsumer item) {
        sb.append(open);
        if (n == 0) {
            sb.append(close);
            return;
        }
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(itemSep);
            }
            if (indent != null) {
                sb.append('\n').append(indent.repeat(depth + 1));
            }
            item.accept(i);
        }
        if (indent != null) {
            sb.append('\n').append(indent.repeat(depth));
        }
        sb.append(close);
    }

    private void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || (ensureAscii && c > 0x7f)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
