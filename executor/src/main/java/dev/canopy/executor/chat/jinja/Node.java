package dev.canopy.executor.chat.jinja;

import java.util.List;

/** A statement of a parsed template. Each carries the line it starts on, for errors. */
sealed interface Node {

    int line();

    record Text(int line, String text) implements Node {}

    record Output(int line, Expr expr) implements Node {}

    record Branch(Expr test, List<Node> body) {}

    record If(int line, List<Branch> branches, List<Node> orElse) implements Node {}

    /** {@code {% for targets in iterable if filter %}body{% else %}orElse{% endfor %}}; filter may be null. */
    record For(int line, List<String> targets, Expr iterable, Expr filter, List<Node> body, List<Node> orElse,
               boolean recursive) implements Node {}

    /** {@code {% set a, b = value %}}, or {@code {% set ns.attr = value %}} when {@code namespace} is set. */
    record Set(int line, String namespace, List<String> targets, Expr value) implements Node {}

    /** {@code {% set x %}body{% endset %}}, the captured text passed through {@code filters} (may be empty). */
    record SetBlock(int line, String target, List<Expr.Filter> filters, List<Node> body) implements Node {}

    record Macro(int line, String name, List<String> params, List<Expr> defaults, List<Node> body) implements Node {}

    /** {@code {% call(params) macro(args) %}body{% endcall %}}: the macro gets {@code caller}. */
    record CallBlock(int line, Expr.Call call, List<String> params, List<Expr> defaults, List<Node> body)
            implements Node {}

    /** {@code {% filter f %}body{% endfilter %}}: the filters' {@code target} is the captured text. */
    record FilterBlock(int line, List<Expr.Filter> filters, List<Node> body) implements Node {}

    record With(int line, List<String> targets, List<Expr> values, List<Node> body) implements Node {}

    record Break(int line) implements Node {}

    record Continue(int line) implements Node {}
}
