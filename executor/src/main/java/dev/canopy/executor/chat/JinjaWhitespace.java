package dev.canopy.executor.chat;

/**
 * Jinja's {@code lstrip_blocks} and {@code trim_blocks}, as Hugging Face enables them, applied to the
 * source before jinjava parses it. Jinjava's own options differ from Jinja's (its lstrip removes the
 * blanks before every tag, even after text on the same line, and its trim miscounts line numbers), so
 * Canopy turns them off and does this itself:
 * <ul>
 *   <li>lstrip: spaces and tabs between the start of a line and a block tag ({@code {%}) or comment
 *       ({@code {#}) are removed, unless the tag opens with {@code {%+};</li>
 *   <li>trim: the first newline after a block tag ({@code %}}) or comment ({@code #}}) is removed.</li>
 * </ul>
 * The contents of {@code {% raw %}} blocks are left alone. The {@link LineMap} maps lines of the result
 * back to the lines of the template as written.
 */
final class JinjaWhitespace {

    /** The source for jinjava and how its lines map back. */
    record Prepared(String source, LineMap lines) {}

    private final String in;
    private final StringBuilder out;
    private final LineMap lines = new LineMap();
    private int originalLine = 1;
    /** Index in {@link #out} where the current output line starts (for columns in the {@link LineMap}). */
    private int outLineStart;
    /** Index in {@link #out} where the current source line starts (after a trimmed newline, mid output line). */
    private int sourceLineStart;
    /** Whether only spaces and tabs follow {@link #sourceLineStart}. */
    private boolean onlyBlanks = true;

    private JinjaWhitespace(String in) {
        this.in = in;
        this.out = new StringBuilder(in.length());
    }

    static Prepared prepare(String source) {
        JinjaWhitespace w = new JinjaWhitespace(source);
        w.run();
        return new Prepared(w.out.toString(), w.lines);
    }

    private void run() {
        int i = 0;
        while (i < in.length()) {
            char c = in.charAt(i);
            char next = i + 1 < in.length() ? in.charAt(i + 1) : 0;
            if (c == '{' && (next == '%' || next == '#')) {
                boolean keepBlanks = next == '%' && i + 2 < in.length() && in.charAt(i + 2) == '+';
                if (onlyBlanks && !keepBlanks) {
                    out.setLength(sourceLineStart);
                }
                int end = endOfTag(i, next == '%' ? "%}" : "#}");
                copy(i, i + 2);
                copy(keepBlanks ? i + 3 : i + 2, end); // jinjava does not know the '+' of "{%+"
                onlyBlanks = false;
                boolean raw = next == '%' && isRawStart(in.substring(i, end));
                i = end;
                i = raw ? copyRaw(i) : trimNewline(i);
            } else if (c == '{' && next == '{') {
                int end = endOfTag(i, "}}");
                copy(i, end);
                i = end;
                onlyBlanks = false;
            } else {
                copy(i, i + 1);
                if (c != ' ' && c != '\t' && c != '\n') {
                    onlyBlanks = false;
                }
                i++;
            }
        }
    }

    /** Copies {@code in[from, to)} to the output, tracking lines. */
    private void copy(int from, int to) {
        for (int k = from; k < to; k++) {
            char c = in.charAt(k);
            out.append(c);
            if (c == '\n') {
                originalLine++;
                lines.newParsedLine(originalLine);
                outLineStart = out.length();
                sourceLineStart = out.length();
                onlyBlanks = true;
            }
        }
    }

    /** trim_blocks: skips one newline (or CR LF) at {@code i}, recording it. */
    private int trimNewline(int i) {
        int skip = in.startsWith("\r\n", i) ? 2 : in.startsWith("\n", i) ? 1 : 0;
        if (skip > 0) {
            lines.removedNewline(out.length() - outLineStart);
            originalLine++;
            sourceLineStart = out.length();
            onlyBlanks = true;
        }
        return i + skip;
    }

    /** The index just past the {@code close} that ends the tag opened at {@code start}, skipping quoted strings. */
    private int endOfTag(int start, String close) {
        char quote = 0;
        for (int i = start + 2; i < in.length(); i++) {
            char c = in.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (!close.equals("#}") && (c == '\'' || c == '"')) {
                quote = c;
            } else if (in.startsWith(close, i)) {
                return i + close.length();
            }
        }
        return in.length();
    }

    private static boolean isRawStart(String tag) {
        return tag.length() >= 4 && tag.substring(2, tag.length() - 2).replace("-", "").replace("+", "").strip()
                .equals("raw");
    }

    /** Copies a raw block's contents, up to the {@code {%} of its {@code endraw} tag, verbatim. */
    private int copyRaw(int from) {
        int end = in.length();
        for (int i = in.indexOf("{%", from); i >= 0; i = in.indexOf("{%", i + 2)) {
            int j = i + 2;
            while (j < in.length() && (in.charAt(j) == '-' || in.charAt(j) == '+' || in.charAt(j) == ' ')) {
                j++;
            }
            if (in.startsWith("endraw", j)) {
                end = i;
                break;
            }
        }
        int start = trimNewline(from);
        copy(start, end);
        onlyBlanks = false;
        return end;
    }
}
