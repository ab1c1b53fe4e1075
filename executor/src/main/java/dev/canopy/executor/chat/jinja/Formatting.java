package dev.canopy.executor.chat.jinja;

import java.util.List;
import java.util.Map;

/** Python's {@code 'fmt' % args} (and the {@code format} filter) and {@code 'fmt'.format(args)}, the common directives. */
final class Formatting {

    private Formatting() {}

    static String percent(String format, Object args, Budget b, int line) {
        List<?> values = args instanceof Tuple t ? t : List.of(args == null ? "None" : args);
        if (args == null) {
            values = java.util.Collections.singletonList(null);
        }
        StringBuilder sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (++i >= format.length()) {
                throw TemplateError.error(line, "incomplete format");
            }
            Object value;
            if (format.charAt(i) == '(') {
                int close = format.indexOf(')', i);
                if (close < 0 || !(args instanceof Map<?, ?> m)) {
                    throw TemplateError.error(line, "format requires a mapping");
                }
                value = m.get(format.substring(i + 1, close));
                i = close + 1;
            } else {
                value = null;
            }
            int specStart = i;
            while (i < format.length() && "0123456789.-+ #".indexOf(format.charAt(i)) >= 0) {
                i++;
            }
            if (i >= format.length()) {
                throw TemplateError.error(line, "incomplete format");
            }
            String spec = format.substring(specStart, i);
            char conv = format.charAt(i);
            if (conv == '%') {
                sb.append('%');
                continue;
            }
            if (format.charAt(specStart - 1) != ')') {
                if (next >= values.size()) {
                    throw TemplateError.error(line, "not enough arguments for format string");
                }
                value = values.get(next++);
            }
            b.string(line, sb.length() + Values.str(value).length() + widthOf(spec), "'%' formatting");
            sb.append(convert(conv, spec, value, line));
        }
        if (next < values.size() && !(args instanceof Map<?, ?>) && next > 0) {
            throw TemplateError.error(line, "not all arguments converted during string formatting");
        }
        return sb.toString();
    }

    private static long widthOf(String spec) {
        String digits = spec.replaceAll("\\..*", "").replaceAll("[^0-9]", "");
        return digits.isEmpty() ? 0 : digits.length() > 18 ? Long.MAX_VALUE / 4 : Long.parseLong(digits);
    }

    private static String convert(char conv, String spec, Object v, int line) {
        String text = switch (conv) {
            case 's' -> Values.str(v);
            case 'r' -> Values.repr(v);
            case 'd', 'i' -> {
                if (!Values.isNumber(v)) {
                    throw TemplateError.error(line, "%" + conv + " format: a real number is required, not "
                            + Values.typeName(v));
                }
                yield Arith.big(v instanceof Double d ? (long) (double) d : v).toString();
            }
            case 'f', 'F', 'e', 'g' -> {
                if (!Values.isNumber(v)) {
                    throw TemplateError.error(line, "must be real number, not " + Values.typeName(v));
                }
                int dot = spec.indexOf('.');
                int precision = dot < 0 ? 6 : Integer.parseInt("0" + spec.substring(dot + 1));
                yield String.format(java.util.Locale.ROOT, "%." + Math.min(precision, 100) + conv, Arith.toDouble(v));
            }
            case 'x' -> Arith.big(v).toString(16);
            default -> throw TemplateError.error(line, "unsupported format character '" + conv + "'");
        };
        long width = widthOf(spec);
        if (width > text.length()) {
            String pad = (spec.startsWith("0") && !spec.contains("-") ? "0" : " ").repeat((int) (width - text.length()));
            return spec.contains("-") ? text + pad : pad + text;
        }
        return text;
    }

    /** {@code 'fmt'.format(args)} with {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
    static String format(String s, List<Object> args, Map<String, Object> kwargs, Budget b, int line) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{' || c == '}' && i + 1 < s.length()
                    && s.charAt(i + 1) == '}') {
                sb.append(c);
                i++;
                continue;
            }
            if (c != '{') {
                sb.append(c);
                continue;
            }
            int close = s.indexOf('}', i);
            if (close < 0) {
                throw TemplateError.error(line, "Single '{' encountered in format string");
            }
            String field = s.substring(i + 1, close);
            Object v;
            if (field.isEmpty()) {
                v = auto < args.size() ? args.get(auto++) : null;
            } else if (field.chars().allMatch(Character::isDigit)) {
                int k = Integer.parseInt(field);
                v = k < args.size() ? args.get(k) : null;
            } else {
                v = kwargs.get(field);
            }
            String text = Values.str(v);
            b.string(line, (long) sb.length() + text.length(), "format");
            sb.append(text);
            i = close;
        }
        return sb.toString();
    }
}
