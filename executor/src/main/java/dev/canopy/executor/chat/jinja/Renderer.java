package dev.canopy.executor.chat.jinja;

import dev.canopy.executor.chat.ChatTemplateError.Reason;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a parsed template over plain values, on the caller's thread. Statements write to an {@link Out};
 * expressions are evaluated by {@link #eval}. Every loop iteration, node and call is charged to the
 * {@link Budget} first, so a render that would pass a bound stops at that point with a {@link TemplateError}.
 * Nothing but the given values, the functions of {@link Globals}, and the filters, tests and methods of
 * this package can be reached: there is no reflection and no Java object behind a name.
 */
final class Renderer {

    /** Thrown by {@code {% break %}} and {@code {% continue %}} to the enclosing loop. */
    private static final class LoopControl extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean isBreak;

        LoopControl(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private static final LoopControl BREAK = new LoopControl(true);
    private static final LoopControl CONTINUE = new LoopControl(false);

    final Budget budget;
    final Globals globals;

    Renderer(Budget budget, Globals globals) {
        this.budget = budget;
        this.globals = globals;
    }

    /** Where rendered text goes, bounded by the output limit (the prompt) or the string limit (captured text). */
    final class Out {
        final StringBuilder sb = new StringBuilder();
        private final boolean prompt;

        Out(boolean prompt) {
            this.prompt = prompt;
        }

        void append(String s, int line) {
            long total = (long) sb.length() + s.length();
            if (prompt && total > budget.limits.maxOutputChars()) {
                throw new TemplateError(Reason.OUTPUT_LIMIT, line, "the prompt would have " + total
                        + " characters, over limit of " + budget.limits.maxOutputChars());
            }
            if (!prompt) {
                budget.checkLength(line, total, "captured output");
            }
            budget.work(line, s.length());
            budget.allocate(line, (long) s.length() * Budget.CHAR_BYTES);
            sb.append(s);
        }
    }

    String render(List<Node> nodes, Scope scope) {
        Out out = new Out(true);
        try {
            exec(nodes, scope, out);
        } catch (LoopControl c) {
            throw TemplateError.syntax(0, (c.isBreak ? "break" : "continue") + " outside of a loop");
        }
        return out.sb.toString();
    }

    /** The text {@code nodes} render to, as a value (macro bodies, set and filter blocks). */
    String capture(List<Node> nodes, Scope scope) {
        Out out = new Out(false);
        exec(nodes, scope, out);
        return out.sb.toString();
    }

    void exec(List<Node> nodes, Scope scope, Out out) {
        for (Node n : nodes) {
            budget.step(n.line());
            switch (n) {
                case Node.Text t -> out.append(t.text(), t.line());
                case Node.Output o -> out.append(Values.str(eval(o.expr(), scope)), o.line());
                case Node.If i -> execIf(i, scope, out);
                case Node.For f -> execFor(f, scope, out);
                case Node.Set s -> execSet(s, scope);
                case Node.SetBlock s -> scope.set(s.target(), applyFilters(s.filters(), capture(s.body(), scope), scope));
                case Node.Macro m -> scope.set(m.name(), new MacroValue(m.name(), m.params(), m.defaults(), m.body(),
                        scope));
                case Node.CallBlock c -> out.append(Values.str(callBlock(c, scope)), c.line());
                case Node.FilterBlock f -> out.append(Values.str(applyFilters(f.filters(), capture(f.body(),
                        new Scope(scope)), scope)), f.line());
                case Node.With w -> {
                    Scope inner = new Scope(scope);
                    for (int k = 0; k < w.targets().size(); k++) {
                        inner.set(w.targets().get(k), eval(w.values().get(k), scope));
                    }
                    exec(w.body(), inner, out);
                }
                case Node.Break b -> throw BREAK;
                case Node.Continue c -> throw CONTINUE;
            }
        }
    }

    private void execIf(Node.If i, Scope scope, Out out) {
        for (Node.Branch b : i.branches()) {
            if (Values.truthy(eval(b.test(), scope))) {
                exec(b.body(), scope, out);
                return;
            }
        }
        exec(i.orElse(), scope, out);
    }

    private void execFor(Node.For f, Scope scope, Out out) {
        if (f.recursive()) {
            throw new TemplateError(Reason.FORBIDDEN, f.line(), "recursive loops are not supported");
        }
        List<Object> items = Values.iterate(eval(f.iterable(), scope), f.line());
        budget.list(f.line(), items.size(), "the loop");
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                Scope s = new Scope(scope);
                bind(f.targets(), item, s, f.line());
                if (Values.truthy(eval(f.filter(), s))) {
                    kept.add(item);
                }
            }
            items = kept;
        }
        LoopObject loop = new LoopObject(items);
        for (int i = 0; i < items.size(); i++) {
            budget.step(f.line());
            loop.index0 = i;
            Scope s = new Scope(scope);
            s.set("loop", loop);
            bind(f.targets(), items.get(i), s, f.line());
            try {
                exec(f.body(), s, out);
            } catch (LoopControl c) {
                if (c.isBreak) {
                    break;
                }
            }
        }
        if (items.isEmpty()) {
            exec(f.orElse(), scope, out);
        }
    }

    private void bind(List<String> targets, Object value, Scope scope, int line) {
        if (targets.size() == 1) {
            scope.set(targets.get(0), value);
            return;
        }
        List<Object> parts = Values.iterate(value, line);
        if (parts.size() != targets.size()) {
            throw TemplateError.error(line, "cannot unpack " + parts.size() + " values into " + targets.size()
                    + " names");
        }
        for (int i = 0; i < targets.size(); i++) {
            scope.set(targets.get(i), parts.get(i));
        }
    }

    private void execSet(Node.Set s, Scope scope) {
        Object value = eval(s.value(), scope);
        if (s.namespace() == null) {
            bind(s.targets(), value, scope, s.line());
            return;
        }
        if (!(scope.get(s.namespace()) instanceof Namespace ns)) {
            throw TemplateError.error(s.line(), "cannot assign attribute on non-namespace object '" + s.namespace()
                    + "'");
        }
        budget.list(s.line(), ns.attributes.size() + 1, "namespace");
        ns.attributes.put(s.targets().get(0), value);
    }

    private Object callBlock(Node.CallBlock c, Scope scope) {
        Object callee = eval(c.call().callee(), scope);
        List<Object> args = evalAll(c.call().args(), scope);
        Map<String, Object> kwargs = evalKwargs(c.call().kwNames(), c.call().kwValues(), scope);
        kwargs.put("caller", new MacroValue("caller", c.params(), c.defaults(), c.body(), scope));
        return call(callee, args, kwargs, c.line());
    }

    Object applyFilters(List<Expr.Filter> filters, Object value, Scope scope) {
        for (Expr.Filter f : filters) {
            value = Filters.apply(this, f.name(), value, evalAll(f.args(), scope),
                    evalKwargs(f.kwNames(), f.kwValues(), scope), f.line());
        }
        return value;
    }

    List<Object> evalAll(List<Expr> exprs, Scope scope) {
        List<Object> out = new ArrayList<>(exprs.size());
        for (Expr e : exprs) {
            out.add(eval(e, scope));
        }
        return out;
    }

    Map<String, Object> evalKwargs(List<String> names, List<Expr> values, Scope scope) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            out.put(names.get(i), eval(values.get(i), scope));
        }
        return out;
    }

    Object call(Object callee, List<Object> args, Map<String, Object> kwargs, int line) {
        budget.step(line);
        if (callee instanceof Callable c) {
            return c.call(this, args, kwargs, line);
        }
        if (callee instanceof Undefined u) {
            throw u.error(line);
        }
        throw TemplateError.error(line, "'" + Values.typeName(callee) + "' object is not callable");
    }

    Object eval(Expr e, Scope scope) {
        return switch (e) {
            case Expr.Literal l -> l.value();
            case Expr.Name n -> {
                Object v = scope.get(n.name());
                yield v instanceof Undefined ? globals.lookup(n.name(), v) : v;
            }
            case Expr.ListLit l -> {
                budget.list(l.line(), l.items().size(), "a list literal");
                List<Object> items = evalAll(l.items(), scope);
                yield l.tuple() ? new Tuple(items) : items;
            }
            case Expr.DictLit d -> {
                budget.list(d.line(), d.keys().size(), "a dict literal");
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < d.keys().size(); i++) {
                    map.put(eval(d.keys().get(i), scope), eval(d.values().get(i), scope));
                }
                yield map;
            }
            case Expr.Attr a -> Access.attribute(eval(a.target(), scope), a.name(), a.line());
            case Expr.Item i -> Access.item(eval(i.target(), scope), eval(i.key(), scope), i.line());
            case Expr.Slice s -> Access.slice(eval(s.target(), scope), optional(s.start(), scope),
                    optional(s.stop(), scope), optional(s.step(), scope), budget, s.line());
            case Expr.Call c -> call(eval(c.callee(), scope), evalAll(c.args(), scope),
                    evalKwargs(c.kwNames(), c.kwValues(), scope), c.line());
            case Expr.Filter f -> Filters.apply(this, f.name(), eval(f.target(), scope), evalAll(f.args(), scope),
                    evalKwargs(f.kwNames(), f.kwValues(), scope), f.line());
            case Expr.Test t -> Tests.apply(this, t.name(), eval(t.target(), scope), evalAll(t.args(), scope),
                    t.line()) != t.negated();
            case Expr.Unary u -> unary(u, scope);
            case Expr.Binary b -> binary(b, scope);
            case Expr.Compare c -> compare(c, scope);
            case Expr.Cond c -> Values.truthy(eval(c.test(), scope)) ? eval(c.then(), scope)
                    : c.otherwise() == null ? new Undefined("the condition was false and there is no else")
                    : eval(c.otherwise(), scope);
        };
    }

    private Object optional(Expr e, Scope scope) {
        return e == null ? null : eval(e, scope);
    }

    private Object unary(Expr.Unary u, Scope scope) {
        Object v = eval(u.operand(), scope);
        return switch (u.op()) {
            case "not" -> !Values.truthy(v);
            case "-" -> Arith.negate(v, u.line());
            default -> {
                if (!Values.isNumber(v)) {
                    throw TemplateError.error(u.line(), "bad operand type for unary +: '" + Values.typeName(v) + "'");
                }
                yield v instanceof Boolean b ? (b ? 1L : 0L) : v;
            }
        };
    }

    private Object binary(Expr.Binary b, Scope scope) {
        Object left = eval(b.left(), scope);
        switch (b.op()) {
            case "and" -> {
                return Values.truthy(left) ? eval(b.right(), scope) : left;
            }
            case "or" -> {
                return Values.truthy(left) ? left : eval(b.right(), scope);
            }
            case "~" -> {
                String l = Values.str(left);
                String r = Values.str(eval(b.right(), scope));
                budget.string(b.line(), (long) l.length() + r.length(), "'~'");
                return l + r;
            }
            default -> {
                Object right = eval(b.right(), scope);
                if (left instanceof Undefined u) {
                    throw u.error(b.line());
                }
                if (right instanceof Undefined u) {
                    throw u.error(b.line());
                }
                return Arith.binary(b.op(), left, right, budget, b.line());
            }
        }
    }

    private Object compare(Expr.Compare c, Scope scope) {
        Object left = eval(c.first(), scope);
        for (int i = 0; i < c.ops().size(); i++) {
            Object right = eval(c.rest().get(i), scope);
            boolean ok = switch (c.ops().get(i)) {
                case "==" -> Values.eq(left, right);
                case "!=" -> !Values.eq(left, right);
                case "<" -> Values.compare(left, right, c.line()) < 0;
                case "<=" -> Values.compare(left, right, c.line()) <= 0;
                case ">" -> Values.compare(left, right, c.line()) > 0;
                case ">=" -> Values.compare(left, right, c.line()) >= 0;
                case "in" -> Values.contains(right, left, this, c.line());
                default -> !Values.contains(right, left, this, c.line());
            };
            if (!ok) {
                return false;
            }
            left = right;
        }
        return true;
    }
}
