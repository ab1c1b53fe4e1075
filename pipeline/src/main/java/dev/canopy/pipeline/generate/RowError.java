package dev.canopy.pipeline.generate;

import java.io.Serializable;
import java.util.Objects;

/**
 * A per-row failure: the row is still written, with this in its {@code error} column.
 *
 * @param kind    why it failed
 * @param message a "Cannot ...: ..." sentence naming the values
 */
public record RowError(ErrorKind kind, String message) implements Serializable {

    public RowError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(message, "message");
    }

    /** The text written to the output's {@code error} column: {@code "<kind>: <message>"}. */
    public String columnText() {
        return kind.label() + ": " + message;
    }
}
