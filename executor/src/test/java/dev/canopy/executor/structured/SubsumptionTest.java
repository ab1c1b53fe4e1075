package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.executor.tokenizer.Tokenizer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pruning subsumed configurations ({@link Subsumption}): once an unanchored pattern has matched, the state is
 * the "any characters until the quote" state itself and loops on plain characters; and pruning never changes
 * what a state accepts (masks and random inputs against a DFA of the same automaton that keeps everything).
 */
class SubsumptionTest {

    private static Tokenizer tokenizer;
    private static TokenTrie trie;

    @BeforeAll
    static void loadVocabulary() {
        tokenizer = MaskShortcutsTest.llama3();
        trie = TokenTrie.of(tokenizer);
    }

    private static LazyDfa dfa(String schema) throws Exception {
        return GrammarCache.compileSchema(new ObjectMapper().readTree(schema), false).dfa();
    }

    /** The state after {@code text}'s bytes from the start, or DEAD. */
    static int walk(LazyDfa dfa, String text) {
        int s = dfa.start();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            s = dfa.next(s, b & 0xFF);
            if (s < 0) {
                return s;
            }
        }
        return s;
    }

    @Test
    void aMatchedPatternIsOneStateThatLoopsOnPlainCharacters() throws Exception {
        LazyDfa dfa = dfa("{\"type\":\"string\",\"pattern\":\"ab[0-9]\"}");
        int matched = walk(dfa, "\"ab1");
        assertThat(matched).isGreaterThanOrEqualTo(0);
        // Different searching histories (a partial match "a", "ab" pending, earlier matches) reach the same state.
        assertThat(walk(dfa, "\"xxab1")).isEqualTo(matched);
        assertThat(walk(dfa, "\"ab1a")).isEqualTo(matched);
        assertThat(walk(dfa, "\"ab1ab")).isEqualTo(matched);
        assertThat(walk(dfa, "\"ab1zé\\\"\\u0022")).isEqualTo(matched);
        assertThat(dfa.loopsOnPlainChars(matched)).isTrue();
        assertThat(dfa.plainReach(matched, PlainTokenIndex.SHORT_CHARS)).isEqualTo(LazyDfa.LOOPS);
        // Before the match it still searches: a partial match is not the same state as a fresh start.
        assertThat(walk(dfa, "\"xa")).isNotEqualTo(walk(dfa, "\"xx"));
        assertThat(dfa.loopsOnPlainChars(walk(dfa, "\"xa"))).isFalse();
        assertThat(dfa.isAccepting(walk(dfa, "\"xxab1yy\""))).isTrue();
        assertThat(walk(dfa, "\"xxab\"")).isEqualTo(LazyDfa.DEAD);
        // Without pruning the matched states differ (the searching configurations are still there).
        LazyDfa full = dfa.withoutPruning();
        assertThat(walk(full, "\"xxab1a")).isNotEqualTo(walk(full, "\"ab1"));
    }

    @Test
    void stringsOfTwoPropertiesStayApart() throws Exception {
        // Two pattern strings in one object: a match in the first must not let the second's closing quote
        // continuation be mixed up (each loop only prunes configurations that end at its own quote).
        LazyDfa dfa = dfa("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"pattern\":\"x\"},"
                + "\"b\":{\"type\":\"string\",\"pattern\":\"^y\"}},\"required\":[\"a\",\"b\"],\"additionalProperties\":false}");
        assertThat(dfa.isAccepting(walk(dfa, "{\"a\":\"zxz\",\"b\":\"yy\"}"))).isTrue();
        assertThat(walk(dfa, "{\"a\":\"zxz\",\"b\":\"zy")).isEqualTo(LazyDfa.DEAD);
        assertThat(walk(dfa, "{\"a\":\"zz\",")).isEqualTo(LazyDfa.DEAD);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"type\":\"string\",\"pattern\":\"ab[0-9]\"}",
        "{\"type\":\"string\",\"pattern\":\"[0-9]{3}-[0-9]{4}|x+y\"}",
        "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"\\\\d{4}-\\\\d{2}-\\\\d{2}T\\\\d{2}:\\\\d{2}\"}}",
        "{\"anyOf\":[{\"type\":\"string\",\"pattern\":\"a.c\"},{\"type\":\"string\",\"maxLength\":3},{\"type\":\"integer\"}]}",
        "{\"type\":\"object\",\"properties\":{\"k\":{\"type\":\"string\",\"pattern\":\"é\"},\"n\":{\"type\":\"string\",\"pattern\":\"\\\\\\\"\"}}}",
    })
    void pruningKeepsEveryStatesLanguage(String schema) throws Exception {
        LazyDfa pruned = dfa(schema);
        LazyDfa full = pruned.withoutPruning();
        String[] pieces = {"a", "b", "c", "x", "y", "0", "1", "9", "-", "T", ":", "é", "\"", "\\\"", "\\u0041", "\\",
            "[", "]", ",", "{", "}", "\"k\":", "\"n\":", "12", "555-1234", "ab1", "2024-05-06T07:08"};
        Random random = new Random(17);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder(random.nextBoolean() ? "\"" : random.nextBoolean() ? "[\"" : "{");
            int n = random.nextInt(12);
            for (int j = 0; j < n; j++) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            int p = walk(pruned, text.toString());
            int f = walk(full, text.toString());
            assertThat(p >= 0).as("alive after %s", text).isEqualTo(f >= 0);
            if (p >= 0) {
                assertThat(pruned.isAccepting(p)).as("complete after %s", text).isEqualTo(full.isAccepting(f));
            }
        }
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", value = {
        "{\"type\":\"string\",\"pattern\":\"[0-9]{3}-[0-9]{4}\"} => \"call 555-1234 now, or 555-9876 later\"",
        "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"ab|cd\"}} => [\"xxabyy\",\"cd\",\"zzcdab and more text\"]",
        "{\"type\":\"object\",\"properties\":{\"created\":{\"type\":\"string\",\"pattern\":\"\\\\d{4}-\\\\d{2}-\\\\d{2}\"},\"name\":{\"type\":\"string\"}}} => {\"created\":\"on 2022-01-01 at noon\",\"name\":\"Zoë\"}",
    })
    void masksEqualTheFullWalkOfAnUnprunedDfa(String schema, String instance) throws Exception {
        TokenGrammar grammar = new TokenGrammar(GrammarCache.compileSchema(new ObjectMapper().readTree(schema), false), trie);
        LazyDfa dfa = grammar.grammar().dfa();
        LazyDfa full = dfa.withoutPruning();
        int state = dfa.start();
        int fullState = full.start();
        int[] tokens = tokenizer.encode(instance, false, false);
        for (int i = 0; i <= tokens.length; i++) {
            assertThat(grammar.mask(state)).as("mask after %d tokens of %s", i, instance)
                    .isEqualTo(MaskShortcutsTest.fullWalk(trie, full, fullState));
            if (i < tokens.length) {
                state = grammar.advance(state, tokens[i]);
                for (byte b : trie.bytesById[tokens[i]]) {
                    fullState = full.next(fullState, b & 0xFF);
                }
                assertThat(state).as("token %d of %s", i, instance).isGreaterThanOrEqualTo(0);
            }
        }
        assertThat(dfa.isAccepting(state)).isTrue();
    }
}
