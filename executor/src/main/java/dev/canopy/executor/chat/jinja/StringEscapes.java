package dev.canopy.executor.chat.jinja;

/** Backslash escapes in template string literals, as Python's {@code unicode-escape} codec reads them. */
final class StringEscapes {

    private StringEscapes() {}

    /**
     * Appends the escape starting at {@code src[pos]} (the character after the backslash) to {@code sb}.
     *
     * @return the index after the escape
     */
    static int unescape(String src, int pos, StringBuilder sb) {
        char e = src.charAt(pos++);
        switch (e) {
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case '\\' -> sb.append('\\');
            case '\'' -> sb.append('\'');
            case '"' -> sb.append('"');
            case 'a' -> sb.append('\u0007');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            case 'v' -> sb.append('\u000b');
            case '\n' -> { }
            case 'x' -> {
                return hex(src, pos, 2, sb);
            }
            case 'u' -> {
                return hex(src, pos, 4, sb);
            }
            case 'U' -> {
                return hex(src, pos, 8, sb);
            }
            default -> {
                if (e >= '0' && e <= '7') {
                    int end = pos - 1;
                    while (end < src.length() && end < pos + 2 && src.charAt(end) >= '0' && src.charAt(end) <= '7') {
                        end++;
                    }
                    sb.append((char) Integer.parseInt(src.substring(pos - 1, end), 8));
                    return end;
                }
                sb.append('\\').append(e);
            }
        }
        return pos;
    }

    private static int hex(String src, int pos, int digits, StringBuilder sb) {
        if (pos + digits > src.length()) {
            throw TemplateError.syntax(0, "truncated \\x, \\u or \\U escape in a string");
        }
        try {
            sb.appendCodePoint(Integer.parseUnsignedInt(src.substring(pos, pos + digits), 16));
        } catch (IllegalArgumentException e) {
            throw TemplateError.syntax(0, "invalid escape \\" + src.substring(pos - 1, pos + digits) + " in a string");
        }
        return pos + digits;
    }
}
