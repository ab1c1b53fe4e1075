package dev.canopy.executor.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.tokenizer.TinyByteLevelVocab;
import dev.canopy.executor.tokenizer.TokenDecoder;
import dev.canopy.executor.tokenizer.Tokenizer;
import dev.canopy.executor.tokenizer.TokenizerLoader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes both tokenizers with arbitrary text (the input bytes read as UTF-8, bad bytes becoming
 * U+FFFD). For any text: every id is in the vocabulary; decoding the ids gives the text back (for
 * SentencePiece, with each U+2581 space marker as a space); the streaming decoder gives the same text;
 * and tokenizing with special tokens parsed never fails.
 */
class TokenizerFuzzTest {

    /** stories260K's SentencePiece tokenizer (512 tokens, byte fallback, a dummy-prefix space). */
    private static final Tokenizer SENTENCE_PIECE = sentencePiece();
    /** A small byte-level BPE vocabulary under each pre-tokenizer. */
    private static final List<Tokenizer> BYTE_LEVEL = List.of(TinyByteLevelVocab.load("gpt2"),
            TinyByteLevelVocab.load("llama-bpe"), TinyByteLevelVocab.load("qwen2"));

    @FuzzTest(maxDuration = "30s")
    void sentencePieceRoundTrip(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        checkRoundTrip(SENTENCE_PIECE, text, text.replace('\u2581', ' '));
    }

    /** The first byte picks the pre-tokenizer; the rest is the text. */
    @FuzzTest(maxDuration = "30s")
    void byteLevelBpeRoundTrip(byte[] input) {
        if (input.length == 0) {
            return;
        }
        Tokenizer tokenizer = BYTE_LEVEL.get(Math.floorMod(input[0], BYTE_LEVEL.size()));
        String text = new String(input, 1, input.length - 1, StandardCharsets.UTF_8);
        checkRoundTrip(tokenizer, text, text);
    }

    /** Checks the invariants for {@code text}, which should decode as {@code decoded}. */
    private static void checkRoundTrip(Tokenizer tokenizer, String text, String decoded) {
        int[] ids = tokenizer.encode(text, false, false);
        assertIdsInVocabulary(tokenizer, ids);
        assertThat(tokenizer.decode(ids)).as("decode(encode(text))").isEqualTo(decoded);
        assertThat(streamed(tokenizer, ids)).as("streamed decode").isIn(decoded, " " + decoded);

        int[] withBos = tokenizer.encode(text, true, false);
        assertThat(withBos).startsWith(tokenizer.bosId());
        assertThat(Arrays.copyOfRange(withBos, 1, withBos.length)).isEqualTo(ids);

        int[] parsed = tokenizer.encode(text, false, true);
        assertIdsInVocabulary(tokenizer, parsed);
        tokenizer.decode(parsed);
    }

    private static void assertIdsInVocabulary(Tokenizer tokenizer, int[] ids) {
        for (int id : ids) {
            assertThat(id).isBetween(0, tokenizer.vocabSize() - 1);
        }
    }

    private static String streamed(Tokenizer tokenizer, int[] ids) {
        TokenDecoder decoder = tokenizer.newDecoder();
        StringBuilder sb = new StringBuilder();
        for (int id : ids) {
            sb.append(decoder.append(id));
        }
        return sb.append(decoder.finish()).toString();
    }

    private static Tokenizer sentencePiece() {
        try (GgufFile file = GgufFile.open(TestModels.stories260kF32())) {
            return TokenizerLoader.load(file.metadata());
        }
    }
}
