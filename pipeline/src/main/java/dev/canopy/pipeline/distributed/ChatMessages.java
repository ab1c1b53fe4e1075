package dev.canopy.pipeline.distributed;

import java.util.ArrayList;
import java.util.List;

import org.apache.spark.sql.Row;

import dev.canopy.executor.chat.ChatMessage;

/**
 * Reads a row's {@code messages} column (structs of role, content and optional fields such as tool_calls,
 * tool_call_id, name and reasoning_content, as JSON text or Spark values) into chat messages, checking each; a
 * content holding OpenAI content parts as JSON text is read by {@link ContentParts}.
 */
final class ChatMessages {

    private ChatMessages() {}

    /**
     * The messages of {@code rows}.
     *
     * @param maxChars most characters of role and content together, so that the template never renders more
     * @throws IllegalArgumentException naming the message and the field that is null or blank; a
     *     {@link PromptTooLongException} when they are too long
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
            if (role == null || content == null && !hasToolCalls(m)) {
                throw new IllegalArgumentException("Cannot render messages: messages[" + i + "]."
                        + (role == null ? "role" : "content") + " is null");
            }
            if (role.isBlank()) {
                throw new IllegalArgumentException("Cannot render messages: messages[" + i + "].role is blank");
            }
            chars += role.length() + (content == null ? 0 : content.length());
            if (chars > maxChars) {
                throw new PromptTooLongException("Cannot render messages: messages[0.." + i + "] hold " + chars
                        + " characters, more than the " + maxChars + " allowed (maxPromptChars)");
            }
            messages.add(new ChatMessage(role, content == null ? null : ContentParts.text(content, i), fields(m, i)));
        }
        return messages;
    }

    private static boolean hasToolCalls(Row m) {
        int i = java.util.Arrays.asList(m.schema().fieldNames()).indexOf("tool_calls");
        return i >= 0 && !m.isNullAt(i);
    }

    /** The message's fields besides role and content (tool_calls, tool_call_id, name, reasoning_content...). */
    private static java.util.Map<String, Object> fields(Row m, int message) {
        java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
        org.apache.spark.sql.types.StructField[] schema = m.schema().fields();
        for (int k = 0; k < schema.length; k++) {
            String name = schema[k].name();
            if (!name.equals("role") && !name.equals("content") && !m.isNullAt(k)) {
                fields.put(name, ChatRequests.plain(m, k, schema[k].dataType(), "messages[" + message + "]." + name,
                        name.equals("tool_calls")));
            }
        }
        return fields;
    }
}
