package dev.canopy.executor.tokenizer;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Compiles the regexes of {@code tokenizer.json} (written for Rust's {@code onig}/{@code fancy-regex})
 * as Java patterns. Java already understands {@code \p{L}}, {@code (?i:...)}, lookahead and
 * possessive quantifiers; the one difference that changes results is {@code \s}, which is ASCII in
 * Java and Unicode {@code White_Space} in Rust (and in llama.cpp), so it is rewritten.
 */
final class HfRegex {

    private HfRegex() {}

    /** The Java pattern of {@code regex}; {@link HfJson#error} naming {@code field} when it does not compile. */
    static Pattern compile(String regex, HfJson field) {
        try {
            return Pattern.compile(unicodeWhitespace(regex));
        } catch (PatternSyntaxException e) {
            throw field.error("expected a regular expression, found '" + regex + "' (" + e.getDescription() + ")");
        }
    }

    /** {@code regex} with {@code \s}/{@code \S} as Unicode White_Space classes; escaped backslashes stay. */
    static String unicodeWhitespace(String regex) {
        StringBuilder out = new StringBuilder(regex.length() + 32);
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            if (c != '\\' || i + 1 == regex.length()) {
                out.append(c);
                continue;
            }
            char next = regex.charAt(++i);
            switch (next) {
                case 's' -> out.append("\\p{IsWhite_Space}");
                case 'S' -> out.append("\\P{IsWhite_Space}");
                default -> out.append(c).append(next);
            }
        }
        return out.toString();
    }
}
