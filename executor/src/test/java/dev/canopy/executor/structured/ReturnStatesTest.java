package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * Return states that only pass on by one epsilon edge are replaced by where they lead ({@code Nfa.passedOn}), so
 * an array's first item and its later items (the item rule called before the items' loop and inside it) are one
 * DFA state, met and masked once, with the same language as before.
 */
class ReturnStatesTest {

    private static Grammar grammar(String schema) throws Exception {
        return GrammarCache.compileSchema(new ObjectMapper().readTree(schema), false);
    }

    @Test
    void laterArrayItemsReachTheFirstItemsStates() throws Exception {
        Grammar g = grammar("{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}}");
        LazyDfa dfa = g.dfa();
        int first = SubsumptionTest.walk(dfa, "[{\"a\":\"");
        assertThat(SubsumptionTest.walk(dfa, "[{\"a\":\"x\"},{\"a\":\"")).isEqualTo(first);
        assertThat(SubsumptionTest.walk(dfa, "[{\"a\":\"x\"},{},{\"a\":\"")).isEqualTo(first);
        assertThat(first).isGreaterThanOrEqualTo(0);
        assertValues(g, "[{\"a\":\"x\"},{\"a\":\"y\"},{}]", "[]");
        assertNotValues(g, "[{\"a\":\"x\"},]", "[,{\"a\":\"x\"}]", "[{\"a\":\"x\"}{\"a\":\"x\"}]");
    }

    @Test
    void boundedArraysKeepTheirCounts() throws Exception {
        Grammar g = grammar("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":2,\"maxItems\":3}");
        assertValues(g, "[1,2]", "[1,2,3]");
        assertNotValues(g, "[1]", "[1,2,3,4]");
        Grammar nested = grammar("{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}},\"minItems\":1}");
        assertValues(nested, "[[1,2],[],[3]]");
        assertNotValues(nested, "[]", "[[1,2],[3,]]");
    }

    private static void assertValues(Grammar g, String... texts) {
        for (String t : texts) {
            assertThat(g.matches(t)).as("%s is a value", t).isTrue();
        }
    }

    private static void assertNotValues(Grammar g, String... texts) {
        for (String t : texts) {
            assertThat(g.matches(t)).as("%s is not a value", t).isFalse();
        }
    }
}
