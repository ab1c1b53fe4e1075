package dev.canopy.pipeline.generate;

import java.util.Objects;

/**
 * One chat message of a row's {@code messages} column.
 *
 * @param role    "system", "user", "assistant", ...
 * @param content the message text
 */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }
}
