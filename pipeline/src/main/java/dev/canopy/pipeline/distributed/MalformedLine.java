package dev.canopy.pipeline.distributed;

import java.io.IOException;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/**
 * What can still be read from a JSON line Spark's reader could not parse: the id, and how many characters the
 * prompt (or messages) value spans. One streaming pass over the top-level fields; values other than the id are
 * skipped without being buffered (Jackson skips a string it is not asked for), so a 50 MB message costs a scan,
 * not a copy, and the parser's string limit (the reason Spark gave up on such a line) is never reached.
 *
 * @param id          the id field's text, when it is a top-level scalar read before the line breaks off
 * @param sourceChars characters of JSON the source field's value spans (up to the end of the line when the line
 *                    breaks inside it); 0 when the field was not found
 */
record MalformedLine(Optional<String> id, long sourceChars) {

    private static final JsonFactory JSON = new JsonFactory();

    /** Scans {@code line} for the fields {@code idName} and {@code sourceName}. */
    static MalformedLine scan(String line, String idName, String sourceName) {
        Optional<String> id = Optional.empty();
        long sourceChars = 0;
        long sourceStart = -1;
        try (JsonParser p = JSON.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new MalformedLine(id, 0);
            }
            JsonToken t = p.nextToken();
            while (t == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(idName) && id.isEmpty() && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
                    id = Optional.of(p.getText());
                }
                sourceStart = name.equals(sourceName) ? p.currentTokenLocation().getCharOffset() : -1;
                p.skipChildren();
                t = p.nextToken();
                if (sourceStart >= 0) {
                    sourceChars = (t == null ? line.length() : p.currentTokenLocation().getCharOffset()) - sourceStart;
                    sourceStart = -1;
                }
            }
        } catch (IOException e) {
            if (sourceStart >= 0) { // the line broke inside the source value
                sourceChars = line.length() - sourceStart;
            }
        }
        return new MalformedLine(id, sourceChars);
    }
}
