package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Token masks over a small vocabulary: tokens spanning grammar boundaries, and the end only once the value is complete. */
class TokenMatcherTest {

    private static final List<String> VOCAB = List.of("</s>", "{", "}", "\"", "\":", "\"a", "a", "\"}", "1", "12", "\",",
            "ab", "é", "x\"", " ");
    private static final int EOS = 0;

    private static TokenGrammar grammar(String schema) {
        byte[][] bytes = new byte[VOCAB.size()][];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = i == EOS ? new byte[0] : VOCAB.get(i).getBytes(StandardCharsets.UTF_8);
        }
        Grammar g = new GrammarCache(false).compile(new Constraint.JsonSchema(schema));
        return new TokenGrammar(g, TokenTrie.ofBytes(bytes, new int[] {EOS}));
    }

    private static List<String> allowed(TokenMatcher m) {
        long[] mask = m.allowedTokens();
        return IntStream.range(0, VOCAB.size()).filter(t -> (mask[t >>> 6] & (1L << t)) != 0).mapToObj(VOCAB::get).toList();
    }

    private static int id(String token) {
        return VOCAB.indexOf(token);
    }

    @Test
    void tokensMayCrossFromAKeyIntoTheColonAndFromAValueIntoTheBrace() {
        TokenMatcher m = grammar("{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"a\"],"
                + " \"properties\": {\"a\": {\"type\": \"string\"}}}").matcher();
        assertThat(allowed(m)).containsExactly("{");
        assertThat(m.accept(id("{"))).isTrue();
        assertThat(allowed(m)).containsExactly("\"", "\"a");
        assertThat(m.accept(id("\"a"))).isTrue();
        assertThat(allowed(m)).as("a token is allowed when its bytes fit, whatever tokens could follow")
                .containsExactly("\"", "\":");
        assertThat(m.accept(id("\":"))).isTrue();
        assertThat(m.accept(id("\""))).isTrue();
        assertThat(allowed(m)).as("inside a free string").contains("\"", "\"}", "a", "ab", "é", "x\"", " ", "1", "{")
                .as("no second property may follow").doesNotContain("</s>", "\",", "\"a", "\":");
        assertThat(m.accept(id("\"}"))).isTrue();
        assertThat(m.isComplete()).isTrue();
        assertThat(allowed(m)).containsExactly("</s>");
        assertThat(m.mustEnd()).isTrue();
    }

    @Test
    void theEndIsAllowedOnlyOnceTheValueIsComplete() {
        TokenMatcher m = grammar("{\"type\": \"integer\", \"minimum\": 10}").matcher();
        assertThat(allowed(m)).containsExactly("1", "12");
        assertThat(m.accept(id("1"))).isTrue();
        assertThat(allowed(m)).as("1 alone is below the minimum").containsExactly("1", "12");
        assertThat(m.accept(id("</s>"))).isFalse();
        assertThat(m.accept(id("12"))).isTrue();
        assertThat(allowed(m)).contains("</s>", "1", "12");
        assertThat(m.mustEnd()).isFalse();
        assertThat(m.accept(id("}"))).as("refused, state unchanged").isFalse();
        assertThat(m.accept(id("</s>"))).isTrue();
        assertThat(m.ended()).isTrue();
    }
}
