package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Extra property names ({@code ObjectGrammar.otherName}, built from {@link NameTrie}): every key text is either
 * a listed name, taking the listed property's value, or another name, taking the extra properties' value,
 * never both and never neither; checked over every key of up to four pieces from names' letters, other
 * letters, a non-ASCII character and escapes.
 */
class NameTrieTest {

    private static final Set<String> NAMES = Set.of("a", "ab", "abc", "b", "ba", "c d");

    @Test
    void everyKeyIsListedOrOtherButNotBoth() {
        Grammar g = new GrammarCache(false).compile(new Constraint.JsonSchema("""
                {"type": "object", "properties": {"a": {"type": "integer"}, "ab": {"type": "integer"},
                  "abc": {"type": "integer"}, "b": {"type": "integer"}, "ba": {"type": "integer"},
                  "c d": {"type": "integer"}},
                 "additionalProperties": {"type": "string"}}"""));
        List<String> pieces = List.of("a", "b", "c", " ", "d", "x", "é", "\\n", "\\u0061", "~");
        List<String> keys = new ArrayList<>(List.of(""));
        for (int len = 1, from = 0; len <= 4; len++) {
            int to = keys.size();
            for (int i = from; i < to; i++) {
                for (String p : pieces) {
                    keys.add(keys.get(i) + p);
                }
            }
            from = to;
        }
        int listed = 0;
        for (String key : keys) {
            boolean isName = NAMES.contains(key);
            listed += isName ? 1 : 0;
            assertThat(g.matches("{\"" + key + "\":1}")).as("key %s with a listed value", key).isEqualTo(isName);
            assertThat(g.matches("{\"" + key + "\":\"v\"}")).as("key %s with an extra value", key).isEqualTo(!isName);
            assertThat(g.isPrefix("{\"" + key)).as("key %s as a prefix", key).isTrue();
        }
        assertThat(listed).isEqualTo(NAMES.size());
        assertThat(g.matches("{\"a\":1,\"abd\":\"v\",\"\":\"w\"}")).isTrue();
        assertThat(g.matches("{\"a\":1,\"a\":\"v\"}")).isFalse();
    }
}
