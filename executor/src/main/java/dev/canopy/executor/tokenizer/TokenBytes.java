package dev.canopy.executor.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The raw bytes each token stands for when decoded, computed once per vocabulary by the
 * tokenizer that knows how its token texts are written. Turns token sequences into text.
 */
final class TokenBytes {

    private final byte[][] bytesById; // (vocabSize, bytes of that token's text; empty for control tokens)

    TokenBytes(byte[][] bytesById) {
        this.bytesById = bytesById;
    }

    /** The bytes of {@code token}. */
    byte[] of(int token) {
        if (token < 0 || token >= bytesById.length) {
            throw new IllegalArgumentException("Cannot decode token " + token + ": ids are 0.." + (bytesById.length - 1));
        }
        return bytesById[token];
    }

    /** The UTF-8 text of all tokens, invalid sequences as U+FFFD. */
    String decode(int[] tokens) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(tokens.length * 4);
        for (int token : tokens) {
            out.writeBytes(of(token));
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A streaming decoder over these bytes. */
    TokenDecoder newDecoder() {
        return new StreamingUtf8Decoder(this);
    }
}
