package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.executor.tokenizer.Tokenizer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shortcut for states whose configurations of one stack read any plain text ({@link PlainLoops}: an
 * unanchored pattern still searching, a key position beside the any-other-name loop): every plain token
 * allowed at once, the other tokens walked. Masks must equal a token-by-token check of the whole vocabulary,
 * on the pruned DFA and on one that keeps every configuration.
 */
class PlainLoopShortcutTest {

    private static final Tokenizer tokenizer = MaskShortcutsTest.llama3();
    private static final TokenTrie trie = TokenTrie.of(tokenizer);

    private static TokenGrammar grammar(String schema) throws Exception {
        return new TokenGrammar(GrammarCache.compileSchema(new ObjectMapper().readTree(schema), false), trie);
    }

    /** Each token's bytes read one by one from {@code state}, no shortcut of any kind; end tokens when the value may end. */
    static long[] tokenByToken(LazyDfa dfa, int state) {
        long[] mask = new long[(trie.vocabSize + 63) >>> 6];
        for (int t = 0; t < trie.vocabSize; t++) {
            byte[] bytes = trie.bytesById[t];
            int s = bytes.length == 0 ? LazyDfa.DEAD : state;
            for (int i = 0; i < bytes.length && s >= 0; i++) {
                s = dfa.next(s, bytes[i] & 0xFF);
            }
            if (s >= 0) {
                mask[t >>> 6] |= 1L << t;
            }
        }
        if (dfa.isAccepting(state)) {
            for (int t : trie.endTokens) {
                mask[t >>> 6] |= 1L << t;
            }
        }
        return mask;
    }

    @Test
    void searchingPatternsAndOpenKeysHoldAPlainLoopAndBoundedStringsDoNot() throws Exception {
        LazyDfa pattern = grammar("{\"type\":\"string\",\"pattern\":\"\\\\d{4}-\\\\d{2}\"}").grammar().dfa();
        int searching = SubsumptionTest.walk(pattern, "\"202");
        assertThat(pattern.plainReach(searching, PlainTokenIndex.SHORT_CHARS)).isEqualTo(-1);
        assertThat(pattern.readsAnyPlainText(searching)).isTrue();
        LazyDfa dated = grammar("{\"type\":\"string\",\"pattern\":\"\\\\d{4}-\\\\d{2}-\\\\d{2}T\\\\d{2}:\\\\d{2}:\\\\d{2}.\\\\d{6}\"}").grammar().dfa(); // too many partial matches to explore
        assertThat(dated.readsAnyPlainText(SubsumptionTest.walk(dated, "\""))).isTrue();
        assertThat(dated.readsAnyPlainText(SubsumptionTest.walk(dated, "\"2022-01-01T12:00:0"))).isTrue();
        LazyDfa object = grammar("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
                + "\"nickname\":{\"type\":\"string\"}}}").grammar().dfa();
        int key = SubsumptionTest.walk(object, "{\"n");
        assertThat(object.plainReach(key, PlainTokenIndex.SHORT_CHARS)).isEqualTo(-1);
        assertThat(object.readsAnyPlainText(key)).isTrue();
        LazyDfa closed = grammar("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},"
                + "\"additionalProperties\":false}").grammar().dfa();
        assertThat(closed.readsAnyPlainText(SubsumptionTest.walk(closed, "{\"n"))).isFalse();
        LazyDfa bounded = grammar("{\"type\":\"string\",\"maxLength\":300}").grammar().dfa();
        assertThat(bounded.readsAnyPlainText(SubsumptionTest.walk(bounded, "\"xa"))).isFalse();
        LazyDfa longer = grammar("{\"type\":\"string\",\"maxLength\":5000}").grammar().dfa();
        assertThat(longer.readsAnyPlainText(SubsumptionTest.walk(longer, "\"xa"))).isFalse();
        LazyDfa free = grammar("{\"type\":\"string\"}").grammar().dfa();
        assertThat(free.readsAnyPlainText(SubsumptionTest.walk(free, "\"xa"))).isTrue();
        LazyDfa anchored = grammar("{\"type\":\"string\",\"pattern\":\"^[a-z]+$\"}").grammar().dfa();
        assertThat(anchored.readsAnyPlainText(SubsumptionTest.walk(anchored, "\"ab"))).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", value = {
        "{\"type\":\"string\",\"pattern\":\"\\\\d{4}-\\\\d{2}-\\\\d{2}\"} => \"dated 2024-05-06, not 2024-5\"",
        "{\"type\":\"string\",\"pattern\":\"\\\\d{4}-\\\\d{2}-\\\\d{2}T\\\\d{2}:\\\\d{2}:\\\\d{2}.\\\\d{6}\"} => \"at 2022-01-01T12:00:00.123456, é 2022-0\"",
        "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"ab|c\\\"d\"}} => [\"xxaby\",\"c\\\"d\",\"zz\\\\ab é\"]",
        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"nickname\":{\"type\":\"integer\"}}} => {\"name\":\"x\",\"nickname\":2,\"nick\":1,\"n\\\"é\":[true]}",
        "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}},\"additionalProperties\":{\"type\":\"string\",\"maxLength\":3}} => {\"id\":4,\"idx\":\"abc\",\"i\":\"\"}",
        "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"x{2}\"},\"b\":{\"type\":\"string\",\"maxLength\":30}},\"required\":[\"a\"]} => {\"a\":\"yxxy\",\"b\":\"a1b2c\",\"ab\":null}",
    })
    void masksEqualTheTokenByTokenCheck(String schema, String instance) throws Exception {
        TokenGrammar grammar = grammar(schema);
        LazyDfa dfa = grammar.grammar().dfa();
        LazyDfa full = dfa.withoutPruning();
        int[] tokens = tokenizer.encode(instance, false, false);
        for (int i = 0; i <= tokens.length; i++) {
            int state = afterTokens(dfa, tokens, i);
            int fullState = afterTokens(full, tokens, i);
            assertThat(state >= 0 && fullState >= 0).as("%d tokens of %s read", i, instance).isTrue();
            long[] mask = grammar.mask(state);
            assertThat(mask).as("mask after %d tokens of %s", i, instance).isEqualTo(tokenByToken(dfa, state));
            assertThat(mask).as("unpruned, after %d tokens of %s", i, instance).isEqualTo(tokenByToken(full, fullState));
        }
        assertThat(dfa.isAccepting(afterTokens(dfa, tokens, tokens.length))).isTrue();
    }

    /** The state after the first {@code count} of {@code tokens}, or DEAD. */
    private static int afterTokens(LazyDfa dfa, int[] tokens, int count) {
        int s = dfa.start();
        for (int i = 0; i < count && s >= 0; i++) {
            byte[] bytes = trie.bytesById[tokens[i]];
            for (int j = 0; j < bytes.length && s >= 0; j++) {
                s = dfa.next(s, bytes[j] & 0xFF);
            }
        }
        return s;
    }

    /** Random schemas mixing open objects, listed keys, searching patterns and bounded strings, walked along random allowed tokens. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6})
    void masksAlongRandomTokensOfRandomSchemasEqualTheTokenByTokenCheck(int seed) throws Exception {
        Random random = new Random(seed);
        String schema = randomSchema(random, 2);
        TokenGrammar grammar = grammar(schema);
        LazyDfa dfa = grammar.grammar().dfa();
        int state = dfa.start();
        for (int step = 0; step < 24; step++) {
            long[] mask = grammar.mask(state);
            long[] expected = tokenByToken(dfa, state);
            assertThat(mask).as("mask at step %d of %s", step, schema).isEqualTo(expected);
            int allowed = 0;
            for (long w : expected) {
                allowed += Long.bitCount(w);
            }
            if (allowed == 0) {
                break;
            }
            int pick = random.nextInt(allowed);
            int token = -1;
            for (int t = 0; t < trie.vocabSize && pick >= 0; t++) {
                if ((expected[t >>> 6] & (1L << t)) != 0 && pick-- == 0) {
                    token = t;
                }
            }
            if (trie.bytesById[token].length == 0) {
                break; // an end token
            }
            state = grammar.advance(state, token);
            assertThat(state).isGreaterThanOrEqualTo(0);
        }
    }

    private static String randomSchema(Random random, int depth) {
        String[] strings = {
            "{\"type\":\"string\"}", "{\"type\":\"string\",\"pattern\":\"[0-9]{2}-x\"}", "{\"type\":\"string\",\"pattern\":\"a|bc\"}",
            "{\"type\":\"string\",\"maxLength\":4}", "{\"type\":\"string\",\"minLength\":2}", "{\"type\":\"string\",\"format\":\"date\"}",
            "{\"type\":\"integer\"}", "{\"enum\":[\"ab\",\"abc\",1]}"};
        if (depth == 0 || random.nextInt(3) == 0) {
            return strings[random.nextInt(strings.length)];
        }
        if (random.nextInt(4) == 0) {
            return "{\"type\":\"array\",\"items\":" + randomSchema(random, depth - 1) + "}";
        }
        StringBuilder sb = new StringBuilder("{\"type\":\"object\",\"properties\":{");
        String[] names = {"a", "ab", "name", "nickname", "id", "x y"};
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? "," : "").append('"').append(names[random.nextInt(names.length)] + i).append("\":")
                    .append(randomSchema(random, depth - 1));
        }
        sb.append('}');
        int extra = random.nextInt(3);
        if (extra == 1) {
            sb.append(",\"additionalProperties\":false");
        } else if (extra == 2) {
            sb.append(",\"additionalProperties\":").append(strings[random.nextInt(strings.length)]);
        }
        return sb.append('}').toString();
    }
}
