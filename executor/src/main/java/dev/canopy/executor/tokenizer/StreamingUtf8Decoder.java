package dev.canopy.executor.tokenizer;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A {@link TokenDecoder} that feeds each token's bytes through one UTF-8 {@link CharsetDecoder} in
 * streaming mode: a character whose bytes are not all there yet stays in the input buffer until the
 * next token, and malformed bytes become U+FFFD.
 */
final class StreamingUtf8Decoder implements TokenDecoder {

    private final TokenBytes tokenBytes;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pending = ByteBuffer.allocate(16); // held-back bytes, in read mode between calls

    StreamingUtf8Decoder(TokenBytes tokenBytes) {
        this.tokenBytes = tokenBytes;
        pending.flip();
    }

    @Override
    public String append(int token) {
        byte[] bytes = tokenBytes.of(token);
        if (bytes.length == 0) {
            return "";
        }
        addPending(bytes);
        return drain(false);
    }

    @Override
    public String finish() {
        String rest = drain(true);
        utf8.reset();
        pending.clear().flip();
        return rest;
    }

    private void addPending(byte[] bytes) {
        if (pending.capacity() - pending.remaining() < bytes.length) {
            ByteBuffer bigger = ByteBuffer.allocate(pending.remaining() + bytes.length + 16);
            bigger.put(pending).flip();
            pending = bigger;
        }
        pending.compact().put(bytes).flip();
    }

    private String drain(boolean endOfInput) {
        CharBuffer out = CharBuffer.allocate(pending.remaining() + 2);
        CoderResult result = utf8.decode(pending, out, endOfInput);
        if (endOfInput && result.isUnderflow()) {
            result = utf8.flush(out);
        }
        if (result.isError()) {
            throw new IllegalStateException("Cannot decode tokens: UTF-8 decoder reported " + result);
        }
        return out.flip().toString();
    }
}
