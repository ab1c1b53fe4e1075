package dev.canopy.executor.chat.jinja;

import dev.canopy.executor.chat.ChatTemplateError.Reason;
import dev.canopy.executor.chat.jinja.Token.Kind;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Builds the statement tree of a template from its tokens, with Jinja2's grammar and operator precedence
 * (lowest first): {@code x if c else y}, {@code or}, {@code and}, {@code not}, comparisons and {@code in},
 * {@code + -}, {@code ~}, {@code * / // %}, {@code **}, unary {@code - +}, then postfix {@code .a [i] (args)},
 * filters {@code |f} and tests {@code is t}. Unknown tags, filters and tests fail here, as they do when
 * Jinja2 compiles a template. Expressions are parsed by {@link ExprParser}.
 */
final class Parser {

    private static final Set<String> FORBIDDEN_TAGS = Set.of("include", "import", "from", "extends", "block");

    final List<Token> tokens;
    int pos;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(String source) {
        Parser p = new Parser(Lexer.lex(source));
        List<Node> body = p.body(List.of(), null);
        return body;
    }

    Token cur() {
        return pos < tokens.size() ? tokens.get(pos) : new Token(Kind.EOF, "", lastLine());
    }

    Token advance() {
        Token t = cur();
        pos++;
        return t;
    }

    private int lastLine() {
        return tokens.isEmpty() ? 1 : tokens.get(tokens.size() - 1).line();
    }

    boolean skipName(String name) {
        if (cur().isName(name)) {
            pos++;
            return true;
        }
        return false;
    }

    boolean skipOp(String op) {
        if (cur().isOp(op)) {
            pos++;
            return true;
        }
        return false;
    }

    void expectOp(String op) {
        if (!skipOp(op)) {
            throw unexpected("'" + op + "'");
        }
    }

    void expect(Kind kind, String what) {
        if (cur().kind() != kind) {
            throw unexpected(what);
        }
        pos++;
    }

    String name() {
        if (cur().kind() != Kind.NAME) {
            throw unexpected("a name");
        }
        return advance().text();
    }

    TemplateError unexpected(String expected) {
        Token t = cur();
        String found = switch (t.kind()) {
            case EOF -> "end of template";
            case BLOCK_END -> "end of statement block";
            case VAR_END -> "end of print statement";
            case STRING -> "string '" + t.text() + "'";
            default -> "'" + t.text() + "'";
        };
        return TemplateError.syntax(t.line(), "expected " + expected + ", got " + found);
    }

    /** Statements up to one of {@code endTags} (left as the current token) or the end of the template. */
    private List<Node> body(List<String> endTags, String opener) {
        List<Node> nodes = new ArrayList<>();
        ExprParser exprs = new ExprParser(this);
        while (true) {
            Token t = cur();
            switch (t.kind()) {
                case EOF -> {
                    if (opener != null) {
                        throw TemplateError.syntax(t.line(), "unexpected end of template: the '" + opener
                                + "' block is not closed (expected " + String.join(" or ", endTags) + ")");
                    }
                    return nodes;
                }
                case TEXT -> nodes.add(new Node.Text(advance().line(), t.text()));
                case VAR_BEGIN -> {
                    pos++;
                    nodes.add(new Node.Output(t.line(), exprs.tuple(true)));
                    expect(Kind.VAR_END, "end of print statement");
                }
                case BLOCK_BEGIN -> {
                    pos++;
                    if (cur().kind() == Kind.NAME && endTags.contains(cur().text())) {
                        return nodes;
                    }
                    nodes.add(statement(exprs));
                }
                default -> throw unexpected("text or a tag");
            }
        }
    }

    private Node statement(ExprParser exprs) {
        Token t = cur();
        if (t.kind() != Kind.NAME) {
            throw unexpected("a tag name");
        }
        String tag = t.text();
        int line = t.line();
        pos++;
        if (FORBIDDEN_TAGS.contains(tag)) {
            throw new TemplateError(Reason.FORBIDDEN, line, "'" + tag + "' is disabled: a chat template cannot read "
                    + "other templates or files");
        }
        Node node = switch (tag) {
            case "if" -> ifStatement(exprs, line);
            case "for" -> forStatement(exprs, line);
            case "set" -> setStatement(exprs, line);
            case "macro" -> macro(exprs, line);
            case "call" -> callBlock(exprs, line);
            case "filter" -> {
                List<Expr.Filter> filters = exprs.filterChain(null, false);
                endTag();
                yield new Node.FilterBlock(line, filters, block("endfilter", "filter"));
            }
            case "with" -> withStatement(exprs, line);
            case "generation" -> {
                endTag();
                yield new Node.With(line, List.of(), List.of(), block("endgeneration", "generation"));
            }
            case "raw" -> raw(line);
            case "break" -> new Node.Break(line);
            case "continue" -> new Node.Continue(line);
            default -> throw TemplateError.syntax(line, "unknown tag '" + tag + "'");
        };
        if (!(node instanceof Node.Text)) {
            endTag();
        }
        return node;
    }

    private void endTag() {
        expect(Kind.BLOCK_END, "end of statement block");
    }

    /** The body up to {@code {% end %}}, consuming the end tag's name. */
    private List<Node> block(String end, String opener) {
        List<Node> body = body(List.of(end), opener);
        pos++;
        return body;
    }

    private Node ifStatement(ExprParser exprs, int line) {
        List<Node.Branch> branches = new ArrayList<>();
        Expr test = exprs.tuple(false);
        while (true) {
            endTag();
            List<Node> body = body(List.of("elif", "else", "endif"), "if");
            branches.add(new Node.Branch(test, body));
            String tag = advance().text();
            if (tag.equals("elif")) {
                test = exprs.tuple(false);
            } else if (tag.equals("else")) {
                endTag();
                return new Node.If(line, branches, block("endif", "if"));
            } else {
                return new Node.If(line, branches, List.of());
            }
        }
    }

    private Node forStatement(ExprParser exprs, int line) {
        List<String> targets = targets();
        if (!skipName("in")) {
            throw unexpected("'in'");
        }
        Expr iterable = exprs.tuple(false);
        Expr filter = skipName("if") ? exprs.expression(true) : null;
        boolean recursive = skipName("recursive");
        endTag();
        List<Node> body = body(List.of("endfor", "else"), "for");
        List<Node> orElse = List.of();
        if (advance().text().equals("else")) {
            endTag();
            orElse = block("endfor", "for");
        }
        return new Node.For(line, targets, iterable, filter, body, orElse, recursive);
    }

    private List<String> targets() {
        boolean paren = skipOp("(");
        List<String> names = new ArrayList<>();
        do {
            names.add(name());
        } while (skipOp(",") && cur().kind() == Kind.NAME);
        if (paren) {
            expectOp(")");
        }
        return names;
    }

    private Node setStatement(ExprParser exprs, int line) {
        String first = name();
        if (skipOp(".")) {
            String attr = name();
            expectOp("=");
            return new Node.Set(line, first, List.of(attr), exprs.tuple(true));
        }
        List<String> names = new ArrayList<>(List.of(first));
        while (skipOp(",")) {
            names.add(name());
        }
        if (skipOp("=")) {
            return new Node.Set(line, null, names, exprs.tuple(true));
        }
        List<Expr.Filter> filters = cur().isOp("|") ? exprs.filterChain(null, true) : List.of();
        endTag();
        Node.SetBlock set = new Node.SetBlock(line, first, filters, body(List.of("endset"), "set"));
        pos++;
        return set;
    }

    private Node macro(ExprParser exprs, int line) {
        String name = name();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        exprs.params(params, defaults);
        endTag();
        return new Node.Macro(line, name, params, defaults, block("endmacro", "macro"));
    }

    private Node callBlock(ExprParser exprs, int line) {
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (cur().isOp("(")) {
            exprs.params(params, defaults);
        }
        Expr call = exprs.expression(true);
        if (!(call instanceof Expr.Call c)) {
            throw TemplateError.syntax(line, "expected a macro call after 'call'");
        }
        endTag();
        return new Node.CallBlock(line, c, params, defaults, block("endcall", "call"));
    }

    private Node withStatement(ExprParser exprs, int line) {
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (cur().kind() != Kind.BLOCK_END) {
            if (!names.isEmpty()) {
                expectOp(",");
            }
            names.add(name());
            expectOp("=");
            values.add(exprs.expression(true));
        }
        endTag();
        return new Node.With(line, names, values, block("endwith", "with"));
    }

    private Node raw(int line) {
        endTag();
        String text = cur().kind() == Kind.TEXT ? advance().text() : "";
        expect(Kind.BLOCK_BEGIN, "'{% endraw %}'");
        pos++;
        endTag();
        return new Node.Text(line, text);
    }

    static Object integer(String digits) {
        BigInteger v = new BigInteger(digits);
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }
}
