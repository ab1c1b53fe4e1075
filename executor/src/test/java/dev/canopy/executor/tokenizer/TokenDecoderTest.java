package dev.canopy.executor.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenDecoderTest {

    private final Tokenizer tokenizer = Stories260k.tokenizer();

    /** Byte b is token b + 3 in the stories260K vocabulary. */
    private static int byteToken(int b) {
        return b + 3;
    }

    @Test
    void holdsBackACharacterSplitOverByteTokensUntilItIsComplete() {
        TokenDecoder decoder = tokenizer.newDecoder();
        assertThat(decoder.append(byteToken(0xE2))).isEmpty();
        assertThat(decoder.append(byteToken(0x82))).isEmpty();
        assertThat(decoder.append(byteToken(0xAC))).isEqualTo("€");
        assertThat(decoder.finish()).isEmpty();
    }

    @Test
    void keepsTheLeadingSpaceOfACompletion() {
        TokenDecoder decoder = tokenizer.newDecoder();
        int[] completion = tokenizer.encode("coin. She", false, false);
        StringBuilder text = new StringBuilder();
        for (int token : completion) {
            text.append(decoder.append(token));
        }
        assertThat(text.append(decoder.finish())).hasToString(" coin. She");
    }

    @Test
    void finishTurnsAnIncompleteCharacterIntoAReplacementCharacterAndResets() {
        TokenDecoder decoder = tokenizer.newDecoder();
        assertThat(decoder.append(byteToken(0xF0))).isEmpty();
        assertThat(decoder.append(byteToken(0x9F))).isEmpty();
        assertThat(decoder.finish()).isEqualTo("\uFFFD");
        assertThat(decoder.append(403)).isEqualTo(" Once");
    }

    @Test
    void anInterruptedCharacterBecomesAReplacementCharacterAndTheRestStillDecodes() {
        TokenDecoder decoder = tokenizer.newDecoder();
        assertThat(decoder.append(byteToken(0xE2))).isEmpty();
        assertThat(decoder.append(403)).isEqualTo("\uFFFD Once");
    }

    @Test
    void controlTokensAddNothing() {
        TokenDecoder decoder = tokenizer.newDecoder();
        assertThat(decoder.append(1)).isEmpty();
        assertThat(decoder.append(2)).isEmpty();
        assertThat(decoder.finish()).isEmpty();
    }

    @Test
    void streamingTheCorpusGivesTheWholeTextAndNeverHalfACharacter() {
        for (String text : Utf8Corpus.TEXTS) {
            int[] tokens = tokenizer.encode(text, true, false);
            TokenDecoder decoder = tokenizer.newDecoder();
            StringBuilder streamed = new StringBuilder();
            for (int token : tokens) {
                String piece = decoder.append(token);
                assertThat(piece).as(text).doesNotContain("\uFFFD");
                assertThat(isWellFormed(piece)).as("well-formed UTF-16 piece of %s", text).isTrue();
                streamed.append(piece);
            }
            streamed.append(decoder.finish());
            String expected = text.isEmpty() ? "" : " " + text; // the stream keeps the dummy-prefix space
            assertThat(streamed).as(text).hasToString(expected);
            assertThat(tokenizer.decode(tokens)).isEqualTo(text);
        }
    }

    @Test
    void rejectsATokenOutsideTheVocabulary() {
        assertThatThrownBy(() -> tokenizer.newDecoder().append(512))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Cannot decode token 512: ids are 0..511");
        assertThatThrownBy(() -> tokenizer.decode(new int[] {-1}))
                .hasMessage("Cannot decode token -1: ids are 0..511");
    }

    private static boolean isWellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
