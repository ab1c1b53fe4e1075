package dev.canopy.executor.structured;

/**
 * A compiled constraint: the byte-level pushdown automaton of a JSON Schema, regular expression or
 * choice, independent of any vocabulary. Immutable apart from its on-demand DFA (thread-safe), so one
 * compiled grammar serves every row and thread that uses the same constraint. Bind it to a tokenizer
 * with {@link TokenGrammar}.
 */
public final class Grammar {

    private final LazyDfa dfa;
    private final String description;

    Grammar(RuleSet rules, String description) {
        this.dfa = new LazyDfa(Nfa.build(rules));
        this.description = description;
    }

    private final java.util.Map<dev.canopy.executor.tokenizer.Tokenizer, TokenGrammar> bound = new java.util.WeakHashMap<>();

    /** This grammar bound to {@code tokenizer} (one per tokenizer, shared). */
    synchronized TokenGrammar boundTo(dev.canopy.executor.tokenizer.Tokenizer tokenizer) {
        return bound.computeIfAbsent(tokenizer, t -> new TokenGrammar(this, t));
    }

    LazyDfa dfa() {
        return dfa;
    }

    /** What the grammar was compiled from, for messages. */
    public String description() {
        return description;
    }

    /** Whether {@code text} (as UTF-8) is a complete value of this grammar. */
    public boolean matches(String text) {
        int s = walk(text);
        return s >= 0 && dfa.isAccepting(s);
    }

    /** Whether {@code text} (as UTF-8) can be continued into a complete value. */
    public boolean isPrefix(String text) {
        return walk(text) >= 0;
    }

    private int walk(String text) {
        int s = dfa.start();
        for (byte b : text.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            s = dfa.next(s, b & 0xFF);
            if (s < 0) {
                return s;
            }
        }
        return s;
    }
}
