package dev.canopy.executor.chat.jinja;

/**
 * One token of a template: literal text, a tag delimiter, or a piece of an expression.
 *
 * @param kind what the token is
 * @param text the text as written (for {@link Kind#STRING} the unescaped value, for {@link Kind#TEXT} the
 *     text after whitespace control)
 * @param line the template line it starts on, 1-based
 */
record Token(Kind kind, String text, int line) {

    enum Kind { TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END, NAME, STRING, INT, FLOAT, OP, EOF }

    boolean is(Kind k, String t) {
        return kind == k && text.equals(t);
    }

    boolean isName(String name) {
        return is(Kind.NAME, name);
    }

    boolean isOp(String op) {
        return is(Kind.OP, op);
    }
}
