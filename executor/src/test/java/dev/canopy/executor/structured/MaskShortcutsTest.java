package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.executor.tokenizer.TokenizerLoader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The mask shortcuts (plain tokens by length inside length-bounded strings, whole subtrees allowed where the
 * state reads any plain text, shared DFA closures) give exactly the mask of a plain walk of the whole
 * Llama 3 trie, at every step of a valid instance.
 */
class MaskShortcutsTest {

    private static Tokenizer tokenizer;
    private static TokenTrie trie;

    @BeforeAll
    static void loadVocabulary() {
        tokenizer = llama3();
        trie = TokenTrie.of(tokenizer);
    }

    /** The Llama 3 vocabulary of the shared models directory. */
    static Tokenizer llama3() {
        try (GgufFile file = GgufFile.open(TestModels.dir().resolve("vocab/llama3-vocab.gguf"))) {
            return TokenizerLoader.load(file.metadata());
        }
    }

    /** The mask of {@code state} by a plain walk of the whole trie, end tokens included when the value may end. */
    static long[] fullWalk(TokenTrie trie, LazyDfa dfa, int state) {
        long[] walked = new long[(trie.vocabSize + 63) >>> 6];
        trie.allowed(dfa, state, walked);
        if (dfa.isAccepting(state)) {
            for (int t : trie.endTokens) {
                walked[t >>> 6] |= 1L << t;
            }
        }
        return walked;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":2,\"maxLength\":9}}} | {\"name\":\"Zoë Smith\"}",
        "{\"type\":\"object\",\"properties\":{\"base\":{\"type\":\"number\"},\"height\":{\"type\":\"number\"}}} | {\"base\":1,\"hello world\":[\"x\"],\"zeta\":null}",
        "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":40}} | [\"a fairly long string of plain text here\",\"\"]",
        "{\"type\":\"string\",\"pattern\":\"^[a-z]{3,20}$\"} | \"abcdefghij\"",
        "{\"type\":\"string\",\"maxLength\":20} | \"================ abc\"",
        "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"pattern\":\"[0-9]{4}-[0-9]{2}\"}} | [\"on 2024-05 we met\",\"then 1999-12, again\"]",
        "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":100}} | [\"---------------------------------------------------------------- long dashes\",\"x\"]",
    })
    void everyMaskEqualsTheFullTrieWalk(String schema, String instance) throws Exception {
        TokenGrammar grammar = new TokenGrammar(GrammarCache.compileSchema(new ObjectMapper().readTree(schema), false), trie);
        LazyDfa dfa = grammar.grammar().dfa();
        int state = dfa.start();
        int[] tokens = tokenizer.encode(instance, false, false);
        for (int i = 0; i <= tokens.length; i++) {
            assertThat(grammar.mask(state)).as("mask after %d tokens of %s", i, instance).isEqualTo(fullWalk(trie, dfa, state));
            if (i < tokens.length) {
                state = grammar.advance(state, tokens[i]);
                assertThat(state).as("token %d of %s", i, instance).isGreaterThanOrEqualTo(0);
            }
        }
        assertThat(dfa.isAccepting(state)).isTrue();
    }
}
