package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The grammar cache compiles each constraint once and keeps only its most recently used ones. */
class GrammarCacheTest {

    private static final Constraint A = new Constraint.Choice(List.of("a"));
    private static final Constraint B = new Constraint.Regex("b+");
    private static final Constraint C = new Constraint.JsonSchema("{\"type\": \"integer\"}");

    @Test
    void equalConstraintsShareOneGrammar() {
        GrammarCache cache = new GrammarCache(false, 4);
        assertThat(cache.compile(new Constraint.Regex("b+"))).isSameAs(cache.compile(B));
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void beyondItsCapacityTheLeastRecentlyUsedConstraintIsDropped() {
        GrammarCache cache = new GrammarCache(false, 2);
        Grammar a = cache.compile(A);
        Grammar b = cache.compile(B);
        assertThat(cache.compile(A)).isSameAs(a); // A is now the most recently used

        cache.compile(C);

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.compile(A)).as("kept").isSameAs(a);
        assertThat(cache.compile(B)).as("dropped, compiled again").isNotSameAs(b);
        assertThat(cache.compile(B).matches("bbb")).isTrue();
    }

    @Test
    void aCompileErrorIsRememberedAndRepeated() {
        GrammarCache cache = new GrammarCache(false, 2);
        Constraint bad = new Constraint.JsonSchema("{\"type\": \"string\", \"uniqueItems\": true, \"contains\": {}}");
        assertThatThrownBy(() -> cache.compile(bad)).isInstanceOf(UnsupportedSchemaException.class);
        assertThatThrownBy(() -> cache.compile(bad)).isInstanceOf(UnsupportedSchemaException.class)
                .hasMessageContaining("Cannot compile schema");
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void aCapacityBelowOneIsRefused() {
        assertThatThrownBy(() -> new GrammarCache(false, 0)).hasMessageContaining("capacity 0 must be at least 1");
    }
}
