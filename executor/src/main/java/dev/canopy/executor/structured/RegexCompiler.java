package dev.canopy.executor.structured;

import java.util.ArrayList;
import java.util.List;

/**
 * Compiles a regular expression (the ECMA-262 subset JSON Schema's {@code pattern} uses: literals,
 * classes, {@code . \d \w \s} and their negations, groups, alternation, greedy or lazy quantifiers,
 * {@code ^ $} at the ends of a top-level alternative) into a byte-level grammar over UTF-8. Lookaround,
 * back-references and word boundaries are refused with {@link UnsupportedSchemaException}.
 *
 * <p>In JSON-string mode the grammar matches the pattern's text as it appears inside a JSON string: a
 * quote, backslash or control character is matched by its escape sequence. Written by hand because no
 * maintained Java regex library produces an automaton we can step byte by byte against a vocabulary.
 */
final class RegexCompiler {

    private static final List<int[]> DIGIT = List.of(new int[] {'0', '9'});
    private static final List<int[]> WORD = Utf8Ranges.normalize(List.of(
            new int[] {'0', '9'}, new int[] {'A', 'Z'}, new int[] {'_', '_'}, new int[] {'a', 'z'}));
    private static final List<int[]> SPACE = Utf8Ranges.normalize(List.of(new int[] {'\t', '\r'}, new int[] {' ', ' '},
            new int[] {0xA0, 0xA0}, new int[] {0x1680, 0x1680}, new int[] {0x2000, 0x200A},
            new int[] {0x2028, 0x2029}, new int[] {0x202F, 0x202F}, new int[] {0x205F, 0x205F},
            new int[] {0x3000, 0x3000}, new int[] {0xFEFF, 0xFEFF}));
    private static final List<int[]> DOT = Utf8Ranges.complement(Utf8Ranges.normalize(List.of(
            new int[] {'\n', '\n'}, new int[] {'\r', '\r'}, new int[] {0x2028, 0x2029})));
    private static final List<int[]> ANY = List.of(new int[] {0, Utf8Ranges.MAX});

    private final String pattern;
    private final boolean json;
    private int pos;

    private RegexCompiler(String pattern, boolean json) {
        this.pattern = pattern;
        this.json = json;
    }

    /**
     * The grammar of strings {@code pattern} matches somewhere (JSON Schema semantics: unanchored unless
     * {@code ^}/{@code $} say otherwise).
     *
     * @param json match the JSON-escaped form of the text (inside a string's quotes)
     */
    static GrammarNode search(String pattern, boolean json) {
        RegexCompiler c = new RegexCompiler(pattern, json);
        List<GrammarNode> branches = new ArrayList<>();
        do {
            boolean startAnchor = c.eat('^');
            GrammarNode body = c.concat();
            boolean endAnchor = c.eat('$');
            GrammarNode anyPrefix = startAnchor ? GrammarNode.EMPTY : GrammarNode.star(c.set(ANY));
            GrammarNode anySuffix = endAnchor ? GrammarNode.EMPTY : GrammarNode.star(c.set(ANY));
            branches.add(GrammarNode.seq(anyPrefix, body, anySuffix));
            if (c.pos < pattern.length() && pattern.charAt(c.pos) != '|') {
                throw c.unsupported("'" + pattern.charAt(c.pos) + "' here");
            }
        } while (c.eat('|'));
        return GrammarNode.alt(branches);
    }

    /** The grammar of strings {@code pattern} matches entirely (as if anchored at both ends). */
    static GrammarNode whole(String pattern, boolean json) {
        RegexCompiler c = new RegexCompiler(pattern, json);
        GrammarNode node = c.alternation();
        if (c.pos != pattern.length()) {
            throw c.unsupported("'" + pattern.charAt(c.pos) + "' here");
        }
        return node;
    }

    /** The grammar of one character of {@code ranges}, JSON-escaped in JSON mode. */
    static GrammarNode charSet(List<int[]> ranges, boolean json) {
        return new RegexCompiler("", json).set(ranges);
    }

    private GrammarNode alternation() {
        List<GrammarNode> options = new ArrayList<>();
        options.add(concat());
        while (eat('|')) {
            options.add(concat());
        }
        return GrammarNode.alt(options);
    }

    private GrammarNode concat() {
        List<GrammarNode> parts = new ArrayList<>();
        while (pos < pattern.length()) {
            char c = pattern.charAt(pos);
            if (c == '|' || c == ')') {
                break;
            }
            if (c == '$' && (pos + 1 == pattern.length() || pattern.charAt(pos + 1) == '|')) {
                break;
            }
            parts.add(quantified(atom()));
        }
        return parts.size() == 1 ? parts.get(0) : new GrammarNode.Seq(parts);
    }

    private GrammarNode quantified(GrammarNode atom) {
        if (pos >= pattern.length()) {
            return atom;
        }
        char c = pattern.charAt(pos);
        int min;
        int max;
        if (c == '*' || c == '+' || c == '?') {
            pos++;
            min = c == '+' ? 1 : 0;
            max = c == '?' ? 1 : -1;
        } else if (c == '{' && isCountAt(pos)) {
            pos++;
            min = number();
            max = min;
            if (eat(',')) {
                max = peek() == '}' ? -1 : number();
            }
            expect('}');
            if (max >= 0 && max < min) {
                throw unsupported("quantifier {" + min + "," + max + "}");
            }
        } else {
            return atom;
        }
        if (eat('+')) {
            throw unsupported("possessive quantifier");
        }
        eat('?'); // lazy: same language
        return GrammarNode.repeat(atom, min, max);
    }

    private boolean isCountAt(int p) {
        int i = p + 1;
        int digits = 0;
        while (i < pattern.length() && Character.isDigit(pattern.charAt(i))) {
            i++;
            digits++;
        }
        return digits > 0 && i < pattern.length() && (pattern.charAt(i) == '}' || pattern.charAt(i) == ',');
    }

    private GrammarNode atom() {
        char c = pattern.charAt(pos++);
        switch (c) {
            case '(' -> {
                if (eat('?')) {
                    if (eat(':')) {
                        // non-capturing group
                    } else if (peek() == '<' && pos + 1 < pattern.length() && Character.isLetter(pattern.charAt(pos + 1))) {
                        int close = pattern.indexOf('>', pos);
                        if (close < 0) {
                            throw unsupported("unterminated group name");
                        }
                        pos = close + 1;
                    } else {
                        throw unsupported("lookaround or group flag (?" + peek());
                    }
                }
                GrammarNode inner = alternation();
                expect(')');
                return inner;
            }
            case '[' -> {
                return set(charClass());
            }
            case '.' -> {
                return set(DOT);
            }
            case '\\' -> {
                return set(escape(false));
            }
            case '^', '$' -> throw unsupported("anchor '" + c + "' inside the pattern");
            case '*', '+', '?' -> throw unsupported("quantifier '" + c + "' without an atom");
            default -> {
                int cp = pattern.codePointAt(pos - 1);
                pos += Character.charCount(cp) - 1;
                return set(List.of(new int[] {cp, cp}));
            }
        }
    }

    private List<int[]> charClass() {
        boolean negate = eat('^');
        List<int[]> ranges = new ArrayList<>();
        boolean first = true;
        while (pos < pattern.length() && (pattern.charAt(pos) != ']' || first)) {
            first = false;
            List<int[]> lo = classAtom();
            if (lo.size() == 1 && lo.get(0)[0] == lo.get(0)[1] && peek() == '-' && pos + 1 < pattern.length()
                    && pattern.charAt(pos + 1) != ']') {
                pos++;
                List<int[]> hi = classAtom();
                if (hi.size() != 1 || hi.get(0)[0] != hi.get(0)[1] || hi.get(0)[0] < lo.get(0)[0]) {
                    throw unsupported("character range");
                }
                ranges.add(new int[] {lo.get(0)[0], hi.get(0)[0]});
            } else {
                ranges.addAll(lo);
            }
        }
        expect(']');
        List<int[]> normalized = Utf8Ranges.normalize(ranges);
        return negate ? Utf8Ranges.complement(normalized) : normalized;
    }

    private List<int[]> classAtom() {
        char c = pattern.charAt(pos++);
        if (c == '\\') {
            return escape(true);
        }
        int cp = pattern.codePointAt(pos - 1);
        pos += Character.charCount(cp) - 1;
        return List.of(new int[] {cp, cp});
    }

    private List<int[]> escape(boolean inClass) {
        if (pos >= pattern.length()) {
            throw unsupported("trailing backslash");
        }
        char c = pattern.charAt(pos++);
        return switch (c) {
            case 'd' -> DIGIT;
            case 'D' -> Utf8Ranges.complement(DIGIT);
            case 'w' -> WORD;
            case 'W' -> Utf8Ranges.complement(WORD);
            case 's' -> SPACE;
            case 'S' -> Utf8Ranges.complement(SPACE);
            case 'n' -> single('\n');
            case 't' -> single('\t');
            case 'r' -> single('\r');
            case 'f' -> single('\f');
            case 'v' -> single(0x0B);
            case '0' -> single(0);
            case 'b' -> {
                if (inClass) {
                    yield single('\b');
                }
                throw unsupported("word boundary \\b");
            }
            case 'u' -> single(hex(4));
            case 'x' -> single(hex(2));
            default -> {
                if (Character.isLetterOrDigit(c)) {
                    throw unsupported("escape \\" + c);
                }
                yield single(c);
            }
        };
    }

    private static List<int[]> single(int cp) {
        return List.of(new int[] {cp, cp});
    }

    private int hex(int digits) {
        if (pos + digits > pattern.length()) {
            throw unsupported("short hex escape");
        }
        try {
            int v = Integer.parseInt(pattern.substring(pos, pos + digits), 16);
            pos += digits;
            return v;
        } catch (NumberFormatException e) {
            throw unsupported("hex escape " + pattern.substring(pos, pos + digits));
        }
    }

    /** One character of {@code ranges}: its UTF-8 bytes, or in JSON mode its form inside a JSON string. */
    GrammarNode set(List<int[]> ranges) {
        if (!json) {
            return Utf8Ranges.of(ranges);
        }
        List<int[]> plain = new ArrayList<>();
        List<GrammarNode> escaped = new ArrayList<>();
        for (int[] r : ranges) {
            for (int cp = r[0]; cp <= Math.min(r[1], 0x5C); cp++) {
                if (cp < 0x20 || cp == '"' || cp == '\\') {
                    escaped.add(jsonEscape(cp));
                }
            }
            addPlain(plain, r[0], r[1]);
        }
        List<GrammarNode> options = new ArrayList<>();
        if (!plain.isEmpty()) {
            options.add(Utf8Ranges.of(plain));
        }
        options.addAll(escaped);
        return GrammarNode.alt(options);
    }

    private static void addPlain(List<int[]> out, int lo, int hi) {
        int[][] cuts = {{0, 0x1F}, {'"', '"'}, {'\\', '\\'}};
        List<int[]> pieces = new ArrayList<>(List.of(new int[] {lo, hi}));
        for (int[] cut : cuts) {
            List<int[]> kept = new ArrayList<>();
            for (int[] p : pieces) {
                if (p[1] < cut[0] || p[0] > cut[1]) {
                    kept.add(p);
                    continue;
                }
                if (p[0] < cut[0]) {
                    kept.add(new int[] {p[0], cut[0] - 1});
                }
                if (p[1] > cut[1]) {
                    kept.add(new int[] {cut[1] + 1, p[1]});
                }
            }
            pieces = kept;
        }
        out.addAll(pieces);
    }

    private static GrammarNode jsonEscape(int cp) {
        String shortForm = switch (cp) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '\n' -> "\\n";
            case '\t' -> "\\t";
            case '\r' -> "\\r";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            default -> null;
        };
        String lower = String.format("\\u%04x", cp);
        String upper = String.format("\\u%04X", cp);
        List<GrammarNode> forms = new ArrayList<>();
        if (shortForm != null) {
            forms.add(GrammarNode.literal(shortForm));
        }
        forms.add(GrammarNode.literal(lower));
        if (!upper.equals(lower)) {
            forms.add(GrammarNode.literal(upper));
        }
        return GrammarNode.alt(forms);
    }

    private int number() {
        int start = pos;
        while (pos < pattern.length() && Character.isDigit(pattern.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw unsupported("expected a number");
        }
        return Integer.parseInt(pattern.substring(start, pos));
    }

    private char peek() {
        return pos < pattern.length() ? pattern.charAt(pos) : '\0';
    }

    private boolean eat(char c) {
        if (pos < pattern.length() && pattern.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!eat(c)) {
            throw unsupported("expected '" + c + "' at offset " + pos);
        }
    }

    private UnsupportedSchemaException unsupported(String what) {
        return new UnsupportedSchemaException("Cannot compile pattern /" + pattern + "/: " + what + " is not supported");
    }
}
