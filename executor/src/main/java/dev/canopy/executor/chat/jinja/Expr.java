package dev.canopy.executor.chat.jinja;

import java.util.List;

/** An expression of a parsed template. Each carries its line, for errors. */
sealed interface Expr {

    int line();

    record Literal(int line, Object value) implements Expr {}

    record Name(int line, String name) implements Expr {}

    record ListLit(int line, List<Expr> items, boolean tuple) implements Expr {}

    record DictLit(int line, List<Expr> keys, List<Expr> values) implements Expr {}

    record Attr(int line, Expr target, String name) implements Expr {}

    record Item(int line, Expr target, Expr key) implements Expr {}

    /** {@code target[start:stop:step]}; absent parts are null. */
    record Slice(int line, Expr target, Expr start, Expr stop, Expr step) implements Expr {}

    /** A call: positional arguments, then keyword arguments by name. */
    record Call(int line, Expr callee, List<Expr> args, List<String> kwNames, List<Expr> kwValues) implements Expr {}

    /** {@code target|name(args)}; the target is null inside {@code {% filter %}} and set blocks. */
    record Filter(int line, Expr target, String name, List<Expr> args, List<String> kwNames, List<Expr> kwValues)
            implements Expr {}

    record Test(int line, Expr target, String name, List<Expr> args, boolean negated) implements Expr {}

    /** Unary {@code -}, {@code +} or {@code not}. */
    record Unary(int line, String op, Expr operand) implements Expr {}

    /** Arithmetic ({@code + - * / // % **}), {@code ~}, {@code and} and {@code or}. */
    record Binary(int line, String op, Expr left, Expr right) implements Expr {}

    /** A comparison chain {@code a < b <= c}: ops[i] compares operand i with operand i + 1. */
    record Compare(int line, Expr first, List<String> ops, List<Expr> rest) implements Expr {}

    /** {@code then if test else otherwise}; otherwise may be null (undefined). */
    record Cond(int line, Expr test, Expr then, Expr otherwise) implements Expr {}
}
