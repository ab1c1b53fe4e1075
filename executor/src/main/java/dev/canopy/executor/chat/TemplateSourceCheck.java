package dev.canopy.executor.chat;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Checks a template's source before jinjava sees it, for what jinjava cannot bound by itself: its
 * length, bracket nesting inside {@code {{ }}} and {@code {% %}} (jinjava's expression parser takes time
 * cubic in the depth: 2,000 nested parentheses take seconds), and the name of jinjava's interpreter
 * object, which an expression could otherwise reach.
 */
final class TemplateSourceCheck {

    /** Jinjava's name for the interpreter object it passes to filters. */
    static final String INTERPRETER_NAME = "____int3rpr3t3r____";

    private TemplateSourceCheck() {}

    /** The first problem with {@code source}, if any. */
    static Optional<ChatTemplateError> check(String name, String source, ChatTemplateLimits limits) {
        if (source.length() > limits.maxTemplateChars()) {
            return Optional.of(new ChatTemplateError(name, ChatTemplateError.Reason.STRING_LIMIT, OptionalInt.empty(),
                    "the template has " + source.length() + " characters, above the limit of "
                            + limits.maxTemplateChars()));
        }
        int internal = source.indexOf(INTERPRETER_NAME);
        if (internal >= 0) {
            return Optional.of(new ChatTemplateError(name, ChatTemplateError.Reason.FORBIDDEN,
                    OptionalInt.of(lineOf(source, internal)), "the template names jinjava's interpreter object "
                    + INTERPRETER_NAME + ", which templates may not use"));
        }
        int tooDeep = firstTooDeep(source, limits.maxDepth());
        if (tooDeep >= 0) {
            return Optional.of(new ChatTemplateError(name, ChatTemplateError.Reason.DEPTH_LIMIT,
                    OptionalInt.of(lineOf(source, tooDeep)), "brackets nested deeper than " + limits.maxDepth()
                    + " levels in an expression"));
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
