package dev.canopy.executor.chat;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Checks a template's source before it is parsed, for what would otherwise cost stack depth: its length,
 * and nesting, of brackets inside {@code {{ }}} and {@code {% %}} and of block tags (each level is a few
 * stack frames when parsed and rendered).
 */
final class TemplateSourceCheck {

    private TemplateSourceCheck() {}

    /** The first problem with {@code source}, if any. */
    static Optional<ChatTemplateError> check(String name, String source, ChatTemplateLimits limits) {
        if (source.length() > limits.maxTemplateChars()) {
            return Optional.of(new ChatTemplateError(name, ChatTemplateError.Reason.STRING_LIMIT, OptionalInt.empty(),
                    "the template has " + source.length() + " characters, above the limit of "
                            + limits.maxTemplateChars()));
        }
        int tooDeep = firstTooDeep(source, limits.maxDepth());
        if (tooDeep >= 0) {
            return Optional.of(new ChatTemplateError(name, ChatTemplateError.Reason.DEPTH_LIMIT,
                    OptionalInt.of(lineOf(source, tooDeep)), "brackets nested deeper than " + limits.maxDepth()
                    + " levels in an expression"));
        }
        int tooDeepTag = firstTooDeepTag(source, limits.maxDepth());
        if (tooDeepTag >= 0) {
            return Optional.of(new ChatTemplateError(name, ChatTemplateError.Reason.DEPTH_LIMIT,
                    OptionalInt.of(lineOf(source, tooDeepTag)), "block tags nested deeper than " + limits.maxDepth()
                    + " levels"));
        }
        return Optional.empty();
    }

    /**
     * The index of the first bracket inside a tag or expression that opens more than {@code max}
     * levels, or -1. Quotes inside tags are skipped; text outside tags is not counted.
     */
    static int firstTooDeep(String s, int max) {
        int depth = 0;
        boolean inCode = false;
        char quote = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char next = i + 1 < s.length() ? s.charAt(i + 1) : 0;
            if (!inCode) {
                if (c == '{' && (next == '{' || next == '%')) {
                    inCode = true;
                    depth = 0;
                    i++;
                }
            } else if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (depth == 0 && (c == '}' || c == '%') && next == '}') {
                inCode = false;
                i++;
            } else if (c == '(' || c == '[' || c == '{') {
                if (++depth > max) {
                    return i;
                }
            } else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
                depth--;
            }
        }
        return -1;
    }

    /** Tags that open a block closed by a matching {@code end...} tag. */
    private static final java.util.Set<String> BLOCK_TAGS = java.util.Set.of("if", "for", "macro", "call", "raw",
            "filter", "autoescape", "block", "unless", "ifchanged");

    /**
     * The index of the first block tag that opens more than {@code max} levels, or -1. A {@code set}
     * without {@code =} opens a block too. The scan is lexical, like {@link #firstTooDeep}.
     */
    static int firstTooDeepTag(String s, int max) {
        int depth = 0;
        for (int i = s.indexOf("{%"); i >= 0; i = s.indexOf("{%", i + 2)) {
            int end = s.indexOf("%}", i + 2);
            String body = s.substring(i + 2, end < 0 ? s.length() : end).replace("-", " ").replace("+", " ").strip();
            int space = body.indexOf(' ');
            String word = space < 0 ? body : body.substring(0, space);
            if (BLOCK_TAGS.contains(word) || (word.equals("set") && !body.contains("="))) {
                if (++depth > max) {
                    return i;
                }
            } else if (word.startsWith("end") && depth > 0) {
                depth--;
            }
        }
        return -1;
    }

    static int lineOf(String source, int index) {
        int line = 1;
        for (int i = 0; i < index; i++) {
            if (source.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
