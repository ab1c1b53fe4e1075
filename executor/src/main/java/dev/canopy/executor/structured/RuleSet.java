package dev.canopy.executor.structured;

import java.util.ArrayList;
import java.util.List;

/** Named grammar rules being built: a rule is declared first (so it can call itself), then defined. Rule 0 is the root. */
final class RuleSet {

    private final List<GrammarNode> bodies = new ArrayList<>();

    /** A new rule id, defined later with {@link #define}. */
    int declare() {
        bodies.add(null);
        return bodies.size() - 1;
    }

    void define(int rule, GrammarNode body) {
        bodies.set(rule, body);
    }

    /** A rule holding {@code body}, for sharing a sub-grammar between places without copying it. */
    int add(GrammarNode body) {
        int id = declare();
        define(id, body);
        return id;
    }

    int size() {
        return bodies.size();
    }

    GrammarNode body(int rule) {
        GrammarNode body = bodies.get(rule);
        if (body == null) {
            throw new IllegalStateException("rule " + rule + " was declared but never defined");
        }
        return body;
    }
}
