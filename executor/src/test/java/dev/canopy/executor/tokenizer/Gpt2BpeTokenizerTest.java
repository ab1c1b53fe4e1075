package dev.canopy.executor.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class Gpt2BpeTokenizerTest {

    private final Tokenizer qwen2 = TinyByteLevelVocab.load("qwen2");
    private final Tokenizer llama3 = TinyByteLevelVocab.load("llama-bpe");

    private static List<String> pieces(Tokenizer tokenizer, String text) {
        return Arrays.stream(tokenizer.encode(text, false, false)).mapToObj(tokenizer::piece).toList();
    }

    @Test
    void mergesByRankWithinEachWord() {
        assertThat(pieces(qwen2, "the cat")).containsExactly("t", "he", "Ġcat");
        assertThat(pieces(qwen2, " the")).containsExactly("Ġthe");
        assertThat(pieces(qwen2, "lower")).containsExactly("lower");
        assertThat(pieces(qwen2, "her")).containsExactly("he", "r"); // "h e" (rank 1) beats "e r" (rank 11)
        assertThat(pieces(qwen2, "a\nb")).containsExactly("a", "Ċ", "b");
        assertThat(pieces(qwen2, "é")).containsExactly("Ã", "©"); // bytes C3 A9
    }

    @Test
    void aMergeResultThatIsNotATokenStillLeadsToLongerMerges() {
        assertThat(pieces(qwen2, "xyz")).containsExactly("xyz");
        assertThat(pieces(qwen2, "xy")).containsExactly("x", "y");
    }

    @Test
    void agreesWithTheNaiveLowestRankFirstLoopOnRandomTexts() {
        Random random = new Random(7);
        String alphabet = "thecalowrxyz12é ";
        for (int trial = 0; trial < 300; trial++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(40);
            for (int i = 0; i < length; i++) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            List<String> expected = new ArrayList<>();
            for (String word : BpePreTokenizer.QWEN2.split(text.toString())) {
                expected.addAll(naiveMerge(ByteLevelAlphabet.encode(word)));
            }
            assertThat(pieces(qwen2, text.toString())).as(text.toString()).isEqualTo(expected);
        }
    }

    /** Merge the lowest-ranked pair (leftmost on a tie) until none applies; symbols that are not tokens become bytes. */
    private static List<String> naiveMerge(String word) {
        List<String> symbols = new ArrayList<>(word.chars().mapToObj(c -> String.valueOf((char) c)).toList());
        while (true) {
            int bestRank = Integer.MAX_VALUE;
            int bestIndex = -1;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                int rank = TinyByteLevelVocab.MERGES.indexOf(symbols.get(i) + " " + symbols.get(i + 1));
                if (rank >= 0 && rank < bestRank) {
                    bestRank = rank;
                    bestIndex = i;
                }
            }
            if (bestIndex < 0) {
                break;
            }
            symbols.set(bestIndex, symbols.get(bestIndex) + symbols.remove(bestIndex + 1));
        }
        List<String> tokens = TinyByteLevelVocab.tokens();
        return symbols.stream()
                .flatMap(s -> tokens.contains(s) ? Stream.of(s) : s.chars().mapToObj(c -> String.valueOf((char) c)))
                .toList();
    }

    @Test
    void qwen2SplitsDigitsOneByOneAndLlama3InGroupsOfThree() {
        assertThat(pieces(qwen2, "12345")).containsExactly("1", "2", "3", "4", "5");
        assertThat(pieces(llama3, "12345")).containsExactly("123", "4", "5");
    }

    @Test
    void llama3TakesAWordThatIsATokenWholeWithoutMerging() {
        assertThat(pieces(llama3, "hello")).containsExactly("hello");
        assertThat(pieces(qwen2, "hello")).containsExactly("he", "l", "lo");
    }

    @Test
    void decodingEncodedTextGivesTheTextBack() {
        for (Tokenizer tokenizer : List.of(qwen2, llama3, TinyByteLevelVocab.load("gpt2"))) {
            for (String text : Utf8Corpus.TEXTS) {
                assertThat(tokenizer.decode(tokenizer.encode(text, true, false))).as(text).isEqualTo(text);
                TokenDecoder decoder = tokenizer.newDecoder();
                StringBuilder streamed = new StringBuilder();
                for (int token : tokenizer.encode(text, false, false)) {
                    streamed.append(decoder.append(token));
                }
                assertThat(streamed.append(decoder.finish())).as(text).hasToString(text);
            }
        }
    }

    @Test
    void controlTokensAreParsedOnlyWhenAskedAndUserDefinedTokensAlways() {
        int bos = TinyByteLevelVocab.id(TinyByteLevelVocab.BOS);
        int eot = TinyByteLevelVocab.id(TinyByteLevelVocab.EOT);
        int user = TinyByteLevelVocab.id(TinyByteLevelVocab.USER);
        String prompt = "<|bos|><|user|>the<|eot|>";
        assertThat(qwen2.encode(prompt, false, true))
                .containsExactly(bos, user, TinyByteLevelVocab.id("t"), TinyByteLevelVocab.id("he"), eot);
        int[] plain = qwen2.encode(prompt, false, false);
        assertThat(plain).doesNotContain(bos, eot).contains(user);
        assertThat(qwen2.decode(plain)).isEqualTo(prompt);
        assertThat(qwen2.decode(qwen2.encode(prompt, false, true))).isEqualTo("<|user|>the");
    }

    @Test
    void prefersTheLongestSpecialTokenAtAPosition() {
        assertThat(qwen2.encode("<|eot|>\n<|eot|>", false, true)).containsExactly(
                TinyByteLevelVocab.id(TinyByteLevelVocab.EOT_NEWLINE), TinyByteLevelVocab.id(TinyByteLevelVocab.EOT));
    }

    @Test
    void addsBosOnlyWhenAskedAndKnowsItsDefaults() {
        int bos = TinyByteLevelVocab.id(TinyByteLevelVocab.BOS);
        assertThat(qwen2.encode("the", true, false)).startsWith(bos);
        assertThat(qwen2.encode("the", false, false)).doesNotContain(bos);
        assertThat(qwen2.bosId()).isEqualTo(bos);
        assertThat(qwen2.addBosByDefault()).isFalse();
        assertThat(llama3.addBosByDefault()).isTrue();
        assertThat(qwen2.isSpecial(TinyByteLevelVocab.id(TinyByteLevelVocab.USER))).isTrue();
        assertThat(qwen2.isSpecial(TinyByteLevelVocab.id("Ġthe"))).isFalse();
    }

    @Test
    void endsGenerationOnEosEotAndEom() {
        int eot = TinyByteLevelVocab.id(TinyByteLevelVocab.EOT);
        int user = TinyByteLevelVocab.id(TinyByteLevelVocab.USER);
        int bos = TinyByteLevelVocab.id(TinyByteLevelVocab.BOS);
        Tokenizer tokenizer = TokenizerLoader.load(TinyByteLevelVocab.metadata("llama-bpe")
                .uint32(TokenizerLoader.EOS_ID, bos)
                .uint32(TokenizerLoader.EOT_ID, eot)
                .uint32(TokenizerLoader.EOM_ID, user)
                .build());
        assertThat(tokenizer.eosId()).hasValue(bos);
        assertThat(tokenizer.isEndOfGeneration(bos)).isTrue();
        assertThat(tokenizer.isEndOfGeneration(eot)).isTrue();
        assertThat(tokenizer.isEndOfGeneration(user)).isTrue();
        assertThat(tokenizer.isEndOfGeneration(TinyByteLevelVocab.id("Ġthe"))).isFalse();
    }

    @Test
    void roundTripsLongRunsOfPunctuationDigitsLettersAndSpaces() { // encode time: TokenizerBenchmark.byteLevelBpeRuns
        String text = LongTexts.runsOfPunctuationDigitsLettersAndSpaces();
        assertThat(qwen2.decode(qwen2.encode(text, false, false))).isEqualTo(text);
    }
}
