package dev.canopy.executor.structured;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles constraints to grammars once: equal constraints (same schema text, pattern or options) get
 * the same {@link Grammar}, so a job's one schema is compiled once per JVM and its DFA and masks are
 * shared by all rows. A constraint that cannot be compiled is remembered too, and fails the same way
 * each time.
 */
public final class GrammarCache {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GrammarCache SHARED = new GrammarCache(false);

    private final boolean flexibleWhitespace;
    private final Map<Constraint, Object> compiled = new ConcurrentHashMap<>(); // Grammar or UnsupportedSchemaException

    /** @param flexibleWhitespace let JSON values carry whitespace between tokens (compact JSON otherwise) */
    public GrammarCache(boolean flexibleWhitespace) {
        this.flexibleWhitespace = flexibleWhitespace;
    }

    /** The JVM-wide cache for generation (compact JSON), shared by the engines of one executor. */
    public static GrammarCache shared() {
        return SHARED;
    }

    /**
     * The grammar of {@code constraint}.
     *
     * @throws UnsupportedSchemaException naming what cannot be compiled
     */
    public Grammar compile(Constraint constraint) {
        Object result = compiled.computeIfAbsent(constraint, c -> {
            try {
                return build(c);
            } catch (UnsupportedSchemaException e) {
                return e;
            }
        });
        if (result instanceof UnsupportedSchemaException e) {
            throw new UnsupportedSchemaException(e.getMessage());
        }
        return (Grammar) result;
    }

    private Grammar build(Constraint c) {
        return switch (c) {
            case Constraint.JsonSchema(String schema) -> SchemaCompiler.compile(parse(schema), flexibleWhitespace);
            case Constraint.JsonObject() -> SchemaCompiler.compile(parse("{\"type\":\"object\"}"), flexibleWhitespace);
            case Constraint.Regex(String pattern) -> grammar(RegexCompiler.whole(pattern, false), "regex /" + pattern + "/");
            case Constraint.Choice(List<String> options) -> grammar(
                    GrammarNode.alt(options.stream().map(GrammarNode::literal).toList()), "choice " + options);
        };
    }

    /** Compiles a parsed JSON Schema without caching (the benchmark measures compilation). */
    public static Grammar compileSchema(JsonNode schema, boolean flexibleWhitespace) {
        return SchemaCompiler.compile(schema, flexibleWhitespace);
    }

    private static Grammar grammar(GrammarNode node, String description) {
        RuleSet rules = new RuleSet();
        rules.add(node);
        return new Grammar(rules, description);
    }

    private static JsonNode parse(String schema) {
        try {
            return JSON.readTree(schema);
        } catch (JsonProcessingException e) {
            throw new UnsupportedSchemaException("Cannot compile schema: it is not valid JSON ("
                    + e.getOriginalMessage() + ")");
        }
    }
}
