package dev.canopy.executor.chat.jinja;

import dev.canopy.executor.chat.jinja.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Parses expressions for {@link Parser}, one method per precedence level of Jinja2's grammar. */
final class ExprParser {

    private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");

    private final Parser p;

    ExprParser(Parser p) {
        this.p = p;
    }

    /** An expression, or a tuple of them when commas follow ({@code {{ a, b }}}). */
    Expr tuple(boolean withCond) {
        int line = p.cur().line();
        Expr first = expression(withCond);
        if (!p.cur().isOp(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (p.skipOp(",")) {
            if (endsTuple()) {
                break;
            }
            items.add(expression(withCond));
        }
        return new Expr.ListLit(line, items, true);
    }

    private boolean endsTuple() {
        Token t = p.cur();
        return t.kind() == Kind.VAR_END || t.kind() == Kind.BLOCK_END || t.isOp(")") || t.isName("in")
                || t.isName("if");
    }

    Expr expression(boolean withCond) {
        Expr e = or();
        while (withCond && p.cur().isName("if")) {
            int line = p.advance().line();
            Expr test = or();
            Expr otherwise = p.skipName("else") ? expression(true) : null;
            e = new Expr.Cond(line, test, e, otherwise);
        }
        return e;
    }

    private Expr or() {
        Expr left = and();
        while (p.cur().isName("or")) {
            int line = p.advance().line();
            left = new Expr.Binary(line, "or", left, and());
        }
        return left;
    }

    private Expr and() {
        Expr left = not();
        while (p.cur().isName("and")) {
            int line = p.advance().line();
            left = new Expr.Binary(line, "and", left, not());
        }
        return left;
    }

    private Expr not() {
        if (p.cur().isName("not")) {
            int line = p.advance().line();
            return new Expr.Unary(line, "not", not());
        }
        return compare();
    }

    private Expr compare() {
        int line = p.cur().line();
        Expr first = math1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = p.cur();
            if (t.kind() == Kind.OP && COMPARE.contains(t.text())) {
                p.advance();
                ops.add(t.text());
            } else if (t.isName("in")) {
                p.advance();
                ops.add("in");
            } else if (t.isName("not") && p.pos + 1 < p.tokens.size() && p.tokens.get(p.pos + 1).isName("in")) {
                p.pos += 2;
                ops.add("not in");
            } else {
                break;
            }
            rest.add(math1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(line, first, ops, rest);
    }

    private Expr math1() {
        Expr left = concat();
        while (p.cur().isOp("+") || p.cur().isOp("-")) {
            Token op = p.advance();
            left = new Expr.Binary(op.line(), op.text(), left, concat());
        }
        return left;
    }

    private Expr concat() {
        Expr left = math2();
        while (p.cur().isOp("~")) {
            int line = p.advance().line();
            left = new Expr.Binary(line, "~", left, math2());
        }
        return left;
    }

    private Expr math2() {
        Expr left = pow();
        while (p.cur().isOp("*") || p.cur().isOp("/") || p.cur().isOp("//") || p.cur().isOp("%")) {
            Token op = p.advance();
            left = new Expr.Binary(op.line(), op.text(), left, pow());
        }
        return left;
    }

    private Expr pow() {
        Expr left = unary(true);
        while (p.cur().isOp("**")) {
            int line = p.advance().line();
            left = new Expr.Binary(line, "**", left, unary(true));
        }
        return left;
    }

    private Expr unary(boolean withFilter) {
        Token t = p.cur();
        Expr node;
        if (t.isOp("-") || t.isOp("+")) {
            p.advance();
            node = new Expr.Unary(t.line(), t.text(), unary(false));
        } else {
            node = primary();
        }
        node = postfix(node);
        return withFilter ? filterExpr(node) : node;
    }

    private Expr primary() {
        Token t = p.advance();
        return switch (t.kind()) {
            case NAME -> switch (t.text()) {
                case "true", "True" -> new Expr.Literal(t.line(), Boolean.TRUE);
                case "false", "False" -> new Expr.Literal(t.line(), Boolean.FALSE);
                case "none", "None" -> new Expr.Literal(t.line(), null);
                default -> new Expr.Name(t.line(), t.text());
            };
            case STRING -> {
                StringBuilder sb = new StringBuilder(t.text());
                while (p.cur().kind() == Kind.STRING) {
                    sb.append(p.advance().text());
                }
                yield new Expr.Literal(t.line(), sb.toString());
            }
            case INT -> new Expr.Literal(t.line(), Parser.integer(t.text()));
            case FLOAT -> new Expr.Literal(t.line(), Double.parseDouble(t.text()));
            case OP -> switch (t.text()) {
                case "(" -> parenthesized(t.line());
                case "[" -> new Expr.ListLit(t.line(), items("]"), false);
                case "{" -> dict(t.line());
                default -> throw unexpectedAt(t);
            };
            default -> throw unexpectedAt(t);
        };
    }

    private TemplateError unexpectedAt(Token t) {
        p.pos--;
        return p.unexpected("an expression");
    }

    private Expr parenthesized(int line) {
        if (p.skipOp(")")) {
            return new Expr.ListLit(line, List.of(), true);
        }
        Expr e = expression(true);
        if (p.skipOp(")")) {
            return e;
        }
        List<Expr> items = new ArrayList<>(List.of(e));
        while (p.skipOp(",")) {
            if (p.cur().isOp(")")) {
                break;
            }
            items.add(expression(true));
        }
        p.expectOp(")");
        return new Expr.ListLit(line, items, true);
    }

    private List<Expr> items(String close) {
        List<Expr> items = new ArrayList<>();
        while (!p.skipOp(close)) {
            if (!items.isEmpty()) {
                p.expectOp(",");
                if (p.skipOp(close)) {
                    break;
                }
            }
            items.add(expression(true));
        }
        return items;
    }

    private Expr dict(int line) {
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!p.skipOp("}")) {
            if (!keys.isEmpty()) {
                p.expectOp(",");
                if (p.skipOp("}")) {
                    break;
                }
            }
            keys.add(expression(true));
            p.expectOp(":");
            values.add(expression(true));
        }
        return new Expr.DictLit(line, keys, values);
    }

    private Expr postfix(Expr node) {
        while (true) {
            Token t = p.cur();
            if (t.isOp(".")) {
                p.advance();
                Token attr = p.advance();
                if (attr.kind() == Kind.NAME) {
                    node = new Expr.Attr(t.line(), node, attr.text());
                } else if (attr.kind() == Kind.INT) {
                    node = new Expr.Item(t.line(), node, new Expr.Literal(t.line(), Parser.integer(attr.text())));
                } else {
                    p.pos--;
                    throw p.unexpected("an attribute name");
                }
            } else if (t.isOp("[")) {
                p.advance();
                node = subscript(node, t.line());
            } else if (t.isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    private Expr subscript(Expr target, int line) {
        Expr[] parts = new Expr[3];
        int part = 0;
        boolean slice = false;
        while (!p.skipOp("]")) {
            if (p.skipOp(":")) {
                slice = true;
                if (++part > 2) {
                    throw p.unexpected("']'");
                }
            } else if (parts[part] == null) {
                parts[part] = expression(true);
            } else {
                throw p.unexpected("']'");
            }
        }
        if (!slice) {
            if (parts[0] == null) {
                throw TemplateError.syntax(line, "expected an index or a slice inside '[]'");
            }
            return new Expr.Item(line, target, parts[0]);
        }
        return new Expr.Slice(line, target, parts[0], parts[1], parts[2]);
    }

    private Expr.Call call(Expr callee) {
        int line = p.advance().line();
        List<Expr> args = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        arguments(args, names, values);
        return new Expr.Call(line, callee, args, names, values);
    }

    /** Arguments after '(' up to and including ')'. */
    private void arguments(List<Expr> args, List<String> names, List<Expr> values) {
        while (!p.skipOp(")")) {
            if (!args.isEmpty() || !names.isEmpty()) {
                p.expectOp(",");
                if (p.skipOp(")")) {
                    return;
                }
            }
            if (p.cur().kind() == Kind.NAME && p.pos + 1 < p.tokens.size() && p.tokens.get(p.pos + 1).isOp("=")) {
                names.add(p.advance().text());
                p.advance();
                values.add(expression(true));
            } else {
                if (!names.isEmpty()) {
                    throw TemplateError.syntax(p.cur().line(), "positional argument after keyword argument");
                }
                args.add(expression(true));
            }
        }
    }

    /** Macro or caller parameters: {@code (a, b=1)}. */
    void params(List<String> params, List<Expr> defaults) {
        p.expectOp("(");
        while (!p.skipOp(")")) {
            if (!params.isEmpty()) {
                p.expectOp(",");
            }
            params.add(p.name());
            if (p.skipOp("=")) {
                defaults.add(expression(true));
            } else if (!defaults.isEmpty()) {
                throw TemplateError.syntax(p.cur().line(), "non-default argument follows default argument");
            }
        }
    }

    private Expr filterExpr(Expr node) {
        while (true) {
            Token t = p.cur();
            if (t.isOp("|")) {
                node = filterChain(node, true).getLast();
            } else if (t.isName("is")) {
                node = test(node);
            } else if (t.isOp("(")) {
                node = call(node);
            } else {
                return node;
            }
        }
    }

    /**
     * Filters {@code |a(x)|b} applied to {@code target}, each the target of the next; with
     * {@code leadingPipe} false the first name comes without '|' ({@code {% filter upper %}}).
     */
    List<Expr.Filter> filterChain(Expr target, boolean leadingPipe) {
        List<Expr.Filter> chain = new ArrayList<>();
        boolean first = true;
        while (first && !leadingPipe || p.skipOp("|")) {
            first = false;
            Token nameToken = p.cur();
            StringBuilder name = new StringBuilder(p.name());
            while (p.skipOp(".")) {
                name.append('.').append(p.name());
            }
            if (!Filters.exists(name.toString())) {
                throw TemplateError.syntax(nameToken.line(), "no filter named '" + name + "'");
            }
            List<Expr> args = new ArrayList<>();
            List<String> names = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            if (p.skipOp("(")) {
                arguments(args, names, values);
            }
            Expr.Filter f = new Expr.Filter(nameToken.line(), target, name.toString(), args, names, values);
            chain.add(f);
            target = f;
        }
        return chain;
    }

    private Expr test(Expr target) {
        int line = p.advance().line();
        boolean negated = p.skipName("not");
        Token nameToken = p.cur();
        String name = p.name();
        if (!Tests.exists(name)) {
            throw TemplateError.syntax(nameToken.line(), "no test named '" + name + "'");
        }
        List<Expr> args = new ArrayList<>();
        Token t = p.cur();
        if (t.isOp("(")) {
            List<String> names = new ArrayList<>();
            List<Expr> values = new ArrayList<>();
            p.advance();
            arguments(args, names, values);
            args.addAll(values);
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INT || t.kind() == Kind.FLOAT
                || t.isOp("(") || t.isOp("[") || t.isOp("{"))
                && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) {
                throw TemplateError.syntax(t.line(), "you cannot chain multiple tests with is");
            }
            args.add(postfix(primary()));
        }
        return new Expr.Test(line, target, name, args, negated);
    }
}
