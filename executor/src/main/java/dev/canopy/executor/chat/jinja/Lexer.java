package dev.canopy.executor.chat.jinja;

import dev.canopy.executor.chat.jinja.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a template into tokens the way Jinja2's lexer does with transformers' settings: newlines
 * normalized and one trailing newline dropped ({@code keep_trailing_newline=False}), {@code -} and
 * {@code +} whitespace control, {@code trim_blocks} (the newline after a block or comment tag is removed)
 * and {@code lstrip_blocks} (spaces and tabs before a block or comment tag at the start of a line are
 * removed), {@code {% raw %}} blocks, and expression tokens inside tags.
 */
final class Lexer {

    private static final Pattern END_RAW = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*([-+]?)%}");
    private static final String[] OPERATORS = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~",
        "<", ">", "=", ".", ",", ":", "|", "(", ")", "[", "]", "{", "}"};

    private final String src;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int line = 1;
    /** Whether the text about to be read starts a line (Jinja2's {@code line_starting}). */
    private boolean lineStarting = true;

    private Lexer(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        this.src = s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    static List<Token> lex(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return lexer.out;
    }

    private void run() {
        while (pos < src.length()) {
            int tag = nextTag(pos);
            String text = src.substring(pos, tag < 0 ? src.length() : tag);
            if (tag < 0) {
                text(text, line);
                return;
            }
            char kind = src.charAt(tag + 1);
            char mod = tag + 2 < src.length() ? src.charAt(tag + 2) : 0;
            if (mod == '-') {
                text = text.stripTrailing();
            } else if (kind != '{' && mod != '+') {
                text = lstripBlock(text);
            }
            text(text, line);
            advanceLines(pos, tag);
            pos = tag + 2 + (mod == '-' || mod == '+' ? 1 : 0);
            if (kind == '#') {
                comment(tag);
            } else {
                tag(kind == '{');
            }
        }
    }

    private int nextTag(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') {
                return i;
            }
        }
        return -1;
    }

    /** lstrip_blocks: spaces before a block tag go when only they stand between the line start and the tag. */
    private String lstripBlock(String text) {
        int lineStart = text.lastIndexOf('\n') + 1;
        if (lineStart > 0 || lineStarting) {
            for (int i = lineStart; i < text.length(); i++) {
                if (!Character.isWhitespace(text.charAt(i))) {
                    return text;
                }
            }
            return text.substring(0, lineStart);
        }
        return text;
    }

    private void comment(int start) {
        int end = src.indexOf("#}", pos);
        if (end < 0) {
            throw TemplateError.syntax(line, "missing end of comment tag");
        }
        advanceLines(pos, end);
        boolean strip = end > pos && src.charAt(end - 1) == '-';
        pos = end + 2;
        afterTag(strip, true, false);
    }

    private void tag(boolean variable) {
        int startLine = line;
        out.add(new Token(variable ? Kind.VAR_BEGIN : Kind.BLOCK_BEGIN, variable ? "{{" : "{%", line));
        int first = out.size();
        int depth = 0;
        while (true) {
            skipSpace();
            if (pos >= src.length()) {
                throw TemplateError.syntax(startLine, "unexpected end of template, expected '"
                        + (variable ? "}}" : "%}") + "'");
            }
            if (depth == 0 && closes(variable)) {
                return;
            }
            Token t = next();
            if (t.kind() == Kind.OP) {
                switch (t.text()) {
                    case "(", "[", "{" -> depth++;
                    case ")", "]", "}" -> depth = Math.max(0, depth - 1);
                    default -> { }
                }
            }
            out.add(t);
            if (!variable && out.size() == first + 1 && t.isName("raw") && closesRaw()) {
                return;
            }
        }
    }

    private boolean closes(boolean variable) {
        String end = variable ? "}}" : "%}";
        boolean strip = src.startsWith("-" + end, pos);
        boolean keep = !variable && src.startsWith("+" + end, pos);
        if (!strip && !keep && !src.startsWith(end, pos)) {
            return false;
        }
        out.add(new Token(variable ? Kind.VAR_END : Kind.BLOCK_END, end, line));
        pos += end.length() + (strip || keep ? 1 : 0);
        afterTag(strip, !variable, keep);
        return true;
    }

    /** {@code {% raw %}}: everything up to {@code {% endraw %}} is text. */
    private boolean closesRaw() {
        skipSpace();
        if (!closes(false)) {
            return false;
        }
        Matcher m = END_RAW.matcher(src);
        if (!m.find(pos)) {
            throw TemplateError.syntax(line, "missing end of raw directive");
        }
        String text = src.substring(pos, m.start());
        text(m.group(1).equals("-") ? text.stripTrailing() : text, line);
        out.add(new Token(Kind.BLOCK_BEGIN, "{%", line));
        advanceLines(pos, m.end());
        out.add(new Token(Kind.NAME, "endraw", line));
        out.add(new Token(Kind.BLOCK_END, "%}", line));
        pos = m.end();
        afterTag(m.group(2).equals("-"), true, m.group(2).equals("+"));
        return true;
    }

    /** Whitespace control after a tag: {@code -} strips all whitespace, trim_blocks one newline. */
    private void afterTag(boolean strip, boolean block, boolean keep) {
        int from = pos;
        if (strip) {
            while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
                pos++;
            }
        } else if (block && !keep && pos < src.length() && src.charAt(pos) == '\n') {
            pos++;
        }
        advanceLines(from, pos);
        lineStarting = pos > from && src.charAt(pos - 1) == '\n';
    }

    private void text(String text, int at) {
        if (!text.isEmpty()) {
            out.add(new Token(Kind.TEXT, text, at));
        }
    }

    private void advanceLines(int from, int to) {
        for (int i = from; i < to; i++) {
            if (src.charAt(i) == '\n') {
                line++;
            }
        }
    }

    private void skipSpace() {
        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
            if (src.charAt(pos) == '\n') {
                line++;
            }
            pos++;
        }
    }

    private Token next() {
        char c = src.charAt(pos);
        int start = pos;
        if (Character.isLetter(c) || c == '_') {
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
                pos++;
            }
            return new Token(Kind.NAME, src.substring(start, pos), line);
        }
        if (c >= '0' && c <= '9') {
            return number();
        }
        if (c == '\'' || c == '"') {
            return string(c);
        }
        for (String op : OPERATORS) {
            if (src.startsWith(op, pos)) {
                pos += op.length();
                return new Token(Kind.OP, op, line);
            }
        }
        throw TemplateError.syntax(line, "unexpected char '" + c + "'");
    }

    private Token number() {
        int start = pos;
        digits();
        boolean isFloat = false;
        if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            pos++;
            digits();
            isFloat = true;
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int save = pos++;
            if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                digits();
                isFloat = true;
            } else {
                pos = save;
            }
        }
        return new Token(isFloat ? Kind.FLOAT : Kind.INT, src.substring(start, pos).replace("_", ""), line);
    }

    private void digits() {
        while (pos < src.length() && (Character.isDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
            pos++;
        }
    }

    private Token string(char quote) {
        int startLine = line;
        StringBuilder sb = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= src.length()) {
                throw TemplateError.syntax(startLine, "unexpected end of string");
            }
            char c = src.charAt(pos++);
            if (c == quote) {
                return new Token(Kind.STRING, sb.toString(), startLine);
            }
            if (c == '\n') {
                line++;
            }
            if (c != '\\' || pos >= src.length()) {
                sb.append(c);
                continue;
            }
            pos = StringEscapes.unescape(src, pos, sb);
        }
    }
}
