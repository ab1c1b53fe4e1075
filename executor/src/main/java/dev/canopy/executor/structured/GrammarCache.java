package dev.canopy.executor.structured;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Compiles constraints to grammars once: equal constraints (same schema text, pattern or options) get
 * the same {@link Grammar}, so a job's one schema is compiled once per JVM and its DFA and masks are
 * shared by all rows. A constraint that cannot be compiled is remembered too, and fails the same way
 * each time. Holds at most {@code capacity} constraints, dropping the least recently used (a grammar
 * with its cached masks can take tens of MB, and per-row response formats can name thousands of
 * schemas); rows still running on a dropped grammar keep it, a later row compiles it again.
 */
public final class GrammarCache {

    /** How many constraints {@link #shared()} and {@link #GrammarCache(boolean)} keep. */
    public static final int DEFAULT_CAPACITY = 64;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final GrammarCache SHARED = new GrammarCache(false);

    private final boolean flexibleWhitespace;
    private final Map<Constraint, Compiled> compiled; // guarded by itself; in access order, eldest first

    /** @param flexibleWhitespace let JSON values carry whitespace between tokens (compact JSON otherwise) */
    public GrammarCache(boolean flexibleWhitespace) {
        this(flexibleWhitespace, DEFAULT_CAPACITY);
    }

    /**
     * @param flexibleWhitespace let JSON values carry whitespace between tokens (compact JSON otherwise)
     * @param capacity how many constraints to keep, at least 1
     */
    public GrammarCache(boolean flexibleWhitespace, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("Cannot create a grammar cache: capacity " + capacity
                    + " must be at least 1");
        }
        this.flexibleWhitespace = flexibleWhitespace;
        this.compiled = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Constraint, Compiled> eldest) {
                return size() > capacity;
            }
        };
    }

    /** One constraint's grammar or compile error, computed once by the first caller while later ones wait. */
    private static final class Compiled {
        private Object result; // Grammar or UnsupportedSchemaException; null until computed

        synchronized Object get(Supplier<Object> compile) {
            if (result == null) {
                result = compile.get();
            }
            return result;
        }
    }

    /** How many constraints are cached now. */
    public int size() {
        synchronized (compiled) {
            return compiled.size();
        }
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
        Compiled entry;
        synchronized (compiled) { // compile outside this lock: other constraints need not wait
            entry = compiled.computeIfAbsent(constraint, c -> new Compiled());
        }
        Object result = entry.get(() -> {
            try {
                return build(constraint);
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
