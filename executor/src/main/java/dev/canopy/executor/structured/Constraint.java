package dev.canopy.executor.structured;

import java.util.List;

/**
 * What a row's output must be. Compile one with {@link GrammarCache#compile}; equal constraints share
 * one compiled grammar.
 */
public sealed interface Constraint extends java.io.Serializable {

    /** A JSON value valid under a JSON Schema (the schema's JSON text). */
    record JsonSchema(String schema) implements Constraint {
        public JsonSchema {
            if (schema == null || schema.isBlank()) {
                throw new IllegalArgumentException("Cannot constrain to a JSON schema: the schema is empty");
            }
        }
    }

    /** Any JSON object (OpenAI's {@code response_format: {"type": "json_object"}}). */
    record JsonObject() implements Constraint {}

    /** Text the regular expression matches entirely. */
    record Regex(String pattern) implements Constraint {
        public Regex {
            if (pattern == null) {
                throw new IllegalArgumentException("Cannot constrain to a regex: the pattern is null");
            }
        }
    }

    /** Exactly one of the given strings. */
    record Choice(List<String> options) implements Constraint {
        public Choice {
            if (options == null || options.isEmpty()) {
                throw new IllegalArgumentException("Cannot constrain to a choice: no options given");
            }
            options = List.copyOf(options);
        }
    }
}
