package dev.canopy.executor.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.executor.TestModels;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class SentencePieceTokenizerTest {

    private final Tokenizer tokenizer = Stories260k.tokenizer();

    @Test
    void isASentencePieceTokenizerWithTheFilesSpecialTokens() {
        assertThat(tokenizer).isInstanceOf(SentencePieceTokenizer.class);
        assertThat(tokenizer.vocabSize()).isEqualTo(512);
        assertThat(tokenizer.bosId()).isEqualTo(1);
        assertThat(tokenizer.eosId()).hasValue(2);
        assertThat(tokenizer.isEndOfGeneration(2)).isTrue();
        assertThat(tokenizer.isEndOfGeneration(1)).isFalse();
        assertThat(tokenizer.addBosByDefault()).isTrue();
        assertThat(tokenizer.isSpecial(1)).isTrue();
        assertThat(tokenizer.isSpecial(403)).isFalse();
        assertThat(tokenizer.piece(403)).isEqualTo("▁Once");
        assertThat(tokenizer.piece(13)).isEqualTo("<0x0A>");
    }

    @Test
    void encodesOnceUponATimeAsRunC() {
        assertThat(tokenizer.encode("Once upon a time", true, false)).containsExactly(1, 403, 407, 261, 378);
    }

    @Test
    void encodesEveryReferencePromptAsLlama2c() throws IOException {
        List<String> lines = Files.readAllLines(TestModels.dir().resolve("stories260K-greedy-llama2c.jsonl"));
        ObjectMapper json = new ObjectMapper();
        assertThat(lines).hasSize(5);
        for (String line : lines) {
            JsonNode run = json.readTree(line);
            int[] expected = ids(run.get("prompt_tokens"));
            assertThat(tokenizer.encode(run.get("prompt").asText(), true, false))
                    .as(run.get("prompt").asText()).containsExactly(expected);
        }
    }

    @Test
    void decodesTheReferenceGenerationsAsRunCPrintsThem() throws IOException {
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(TestModels.dir().resolve("stories260K-greedy-llama2c.jsonl"))) {
            JsonNode run = json.readTree(line);
            int[] tokens = concat(ids(run.get("prompt_tokens")), ids(run.get("generated_tokens")));
            String output = run.get("output").asText(); // run.c's stdout: the text, then one "\n"
            assertThat(tokenizer.decode(tokens)).isEqualTo(output.substring(0, output.length() - 1));
        }
    }

    @Test
    void addsBosOnlyWhenAsked() {
        assertThat(tokenizer.encode("Once", false, false)).containsExactly(403);
        assertThat(tokenizer.encode("", true, false)).containsExactly(1);
        assertThat(tokenizer.encode("", false, false)).isEmpty();
    }

    @Test
    void fallsBackToByteTokensForCharactersWithoutAPiece() {
        // "😀" is F0 9F 98 80; byte b is token b + 3.
        assertThat(tokenizer.encode("😀", false, false)).containsExactly(410, 0xF0 + 3, 0x9F + 3, 0x98 + 3, 0x80 + 3);
    }

    @Test
    void decodingEncodedTextGivesTheTextBack() {
        for (String text : Utf8Corpus.TEXTS) {
            assertThat(tokenizer.decode(tokenizer.encode(text, true, false))).as(text).isEqualTo(text);
            assertThat(tokenizer.decode(tokenizer.encode(text, false, false))).as(text).isEqualTo(text);
        }
    }

    @Test
    void theSpaceMarkerInTextIsTokenizedAndDecodedAsASpaceAsInLlamaCpp() {
        // Found by TokenizerFuzzTest (seed space-marker-u2581): U+2581 is how SentencePiece writes a space.
        int[] ids = tokenizer.encode("a\u2581was\u2581a", false, false);
        assertThat(ids).isEqualTo(tokenizer.encode("a was a", false, false));
        assertThat(tokenizer.decode(ids)).isEqualTo("a was a");
    }

    @Test
    void decodeDropsOnlyTheDummyPrefixSpaceAndRendersControlTokensAsNothing() {
        assertThat(tokenizer.decode(new int[] {1, 403, 407, 2})).isEqualTo("Once upon");
        assertThat(tokenizer.decode(new int[] {410, 410, 403})).isEqualTo("  Once"); // 3 spaces, one dropped
        assertThat(tokenizer.decode(new int[] {0xE2 + 3, 0x82 + 3})).isEqualTo("\uFFFD");
    }

    @Test
    void specialTokenTextsAreTokensOnlyWhenParsingSpecials() {
        assertThat(tokenizer.encode("<s>Once</s>", false, true)).containsExactly(1, 403, 2);
        int[] plain = tokenizer.encode("<s>Once</s>", false, false);
        assertThat(plain).doesNotContain(1, 2);
        assertThat(tokenizer.decode(plain)).isEqualTo("<s>Once</s>");
    }

    @Test
    void textAfterASpecialTokenGetsADummyPrefixSpaceAsInLlamaCpp() {
        assertThat(tokenizer.encode("Once<s>upon", true, true))
                .containsExactly(concat(new int[] {1}, tokenizer.encode("Once", false, false), new int[] {1},
                        tokenizer.encode("upon", false, false)));
    }

    @Test
    void agreesWithTheNaiveRunCLoopOnRandomTexts() {
        NaiveSentencePiece naive = new NaiveSentencePiece(tokenizer.vocabulary());
        Random random = new Random(42);
        String alphabet = "abcdefghijklmnopqrstuvwxyz      ,.!?'\"\nTOLS“”’é😀日ü";
        int[] codePoints = alphabet.codePoints().toArray();
        for (int trial = 0; trial < 400; trial++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(120);
            for (int i = 0; i < length; i++) {
                text.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
            }
            String s = text.toString();
            assertThat(tokenizer.encode(s, true, false)).as(s)
                    .containsExactly(naive.encode(s, true).stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void agreesWithTheNaiveLoopOnStoryText() throws IOException {
        NaiveSentencePiece naive = new NaiveSentencePiece(tokenizer.vocabulary());
        for (String line : Files.readAllLines(TestModels.dir().resolve("stories260K-greedy-llamacpp.jsonl"))) {
            String story = new ObjectMapper().readTree(line).get("text").asText();
            assertThat(tokenizer.encode(story, false, false))
                    .containsExactly(naive.encode(story, false).stream().mapToInt(Integer::intValue).toArray());
        }
    }

    @Test
    void roundTripsA100KilobyteText() { // its encode time: TokenizerBenchmark.sentencePieceStories
        String text = LongTexts.stories();
        assertThat(text.length()).isGreaterThan(90_000);
        int[] tokens = tokenizer.encode(text, true, false);
        assertThat(tokens[0]).isEqualTo(tokenizer.bosId());
        assertThat(tokenizer.decode(tokens)).isEqualTo(text);
    }

    private static int[] ids(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false).mapToInt(JsonNode::asInt).toArray();
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }
}
