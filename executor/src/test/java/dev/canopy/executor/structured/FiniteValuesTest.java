package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Schemas that list their values beside {@code not}: the grammar holds the listed values the schema accepts. */
class FiniteValuesTest {

    private static Grammar compact(String schema) {
        return new GrammarCache(false).compile(new Constraint.JsonSchema(schema));
    }

    @Test
    void notOverAnEnumKeepsTheValuesItDoesNotExclude() {
        Grammar g = compact("""
                {"allOf": [{"enum": [1, "a", [1, 2], {"x": 1}, {"x": "y"}]},
                           {"not": {"type": "string"}},
                           {"not": {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"]}}]}""");
        assertThat(List.of("1", "[1,2]", "{\"x\":\"y\"}")).allMatch(g::matches);
        assertThat(List.of("\"a\"", "{\"x\":1}", "2")).noneMatch(g::matches);
    }

    @Test
    void doubleNegationAndLocalReferencesAreTheValidatorsToRead() {
        Grammar g = compact("""
                {"allOf": [{"enum": [{"foo": false}, {"foo": 3}]},
                           {"not": {"not": {"properties": {"foo": {"$ref": "#/definitions/int"}}}}}],
                 "definitions": {"int": {"type": "integer"}}}""");
        assertThat(g.matches("{\"foo\":3}")).isTrue();
        assertThat(g.matches("{\"foo\":false}")).isFalse();
    }

    @Test
    void notWithoutListedValuesIsStillRefused() {
        assertThatThrownBy(() -> compact("{\"type\": \"string\", \"not\": {\"enum\": [\"a\"]}}"))
                .isInstanceOf(UnsupportedSchemaException.class).hasMessageContaining("not at #");
    }
}
