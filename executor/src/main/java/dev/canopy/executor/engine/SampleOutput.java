package dev.canopy.executor.engine;

import dev.canopy.executor.sample.SampledToken;
import dev.canopy.executor.sched.FinishReason;
import dev.canopy.executor.tokenizer.TokenDecoder;
import dev.canopy.executor.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * What one sample has produced so far: its text (decoded incrementally, never splitting a UTF-8
 * character), its kept token ids and logprobs, and the stop-string search.
 */
final class SampleOutput {

    private final int index;
    private final TokenDecoder decoder;
    private final StopMatcher stops;
    private final long maxBytes;
    private long bytes; // UTF-8 bytes of the text so far
    private final List<Integer> tokens = new ArrayList<>();
    private final List<SampledToken> logprobs = new ArrayList<>();
    private String finalText;
    private FinishReason reason;

    SampleOutput(int index, Tokenizer tokenizer, List<String> stopStrings, long maxBytes) {
        this.index = index;
        this.maxBytes = maxBytes;
        this.decoder = tokenizer.newDecoder();
        this.stops = new StopMatcher(stopStrings);
    }

    /**
     * Adds a generated token's text.
     *
     * @return true when a stop string is now complete (the text is cut before it and the sample is finished), or
     *     the text has passed {@code maxBytes} (it is cut there, on a character boundary, and finishes with
     *     {@link FinishReason#OUTPUT_LIMIT})
     */
    boolean appendText(int token) {
        tokens.add(token);
        String piece = decoder.append(token);
        bytes += Utf8Bytes.length(piece);
        OptionalInt at = stops.append(piece);
        if (at.isPresent()) {
            finalText = stops.text().substring(0, at.getAsInt());
            reason = FinishReason.STOP;
        }
        if (bytes > maxBytes && (finalText == null || Utf8Bytes.length(finalText) > maxBytes)) {
            finalText = Utf8Bytes.prefix(finalText == null ? stops.text() : finalText, maxBytes);
            reason = FinishReason.OUTPUT_LIMIT;
        }
        return reason != null;
    }

    void addLogprobs(SampledToken t) {
        logprobs.add(t);
    }

    /** Ends the sample for {@code why}, flushing any held-back partial character. */
    void finish(FinishReason why) {
        if (finalText == null) {
            String tail = decoder.finish();
            finalText = stops.text() + tail;
        }
        if (reason == null) {
            reason = why;
        }
    }

    boolean isFinished() {
        return reason != null;
    }

    Completion toCompletion() {
        int[] ids = tokens.stream().mapToInt(Integer::intValue).toArray();
        return new Completion(index, finalText == null ? "" : finalText, ids, reason, logprobs);
    }
}
