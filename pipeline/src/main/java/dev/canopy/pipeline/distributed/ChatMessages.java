package dev.canopy.pipeline.distributed;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Row;

import dev.canopy.executor.chat.ChatMessage;

/**
 * Reads a row's {@code messages} column (structs of role and content) into chat messages, checking each; a content
 * holding OpenAI content parts as JSON text is read by {@link ContentParts}.
 */
final class ChatMessages {

    private ChatMessages() {}

    /**
     * The messages of {@code rows}.
     *
     * @param maxChars most characters of role and content together, so that the template never renders more
     * @throws IllegalArgumentException naming the message and the field that is null, blank or too long
     */
    static List<ChatMessage> of(List<Row> rows, int maxChars) {
        List<ChatMessage> messages = new ArrayList<>(Math.min(rows.size(), 1024));
        long chars = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row m = rows.get(i);
            if (m == null) {
                throw new IllegalArgumentException("Cannot render messages: messages[" + i + "] is null");
            }
            String role = m.getAs("role");
            String content = m.getAs("content");
            if (role == null || content == null) {
                throw new IllegalArgumentException("Cannot render messages: messages[" + i + "]."
                        + (role == null ? "role" : "content") + " is null");
            }
            if (role.isBlank()) {
                throw new IllegalArgumentException("Cannot render messages: messages[" + i + "].role is blank");
            }
            chars += role.length() + content.length();
            if (chars > maxChars) {
                throw new IllegalArgumentException("Cannot render messages: messages[0.." + i + "] hold " + chars
                        + " characters, more than the " + maxChars + " allowed (maxPromptChars)");
            }
            messages.add(new ChatMessage(role, ContentParts.text(content, i)));
        }
        return messages;
    }
}
