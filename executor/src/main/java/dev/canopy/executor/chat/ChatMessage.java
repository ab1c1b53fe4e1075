package dev.canopy.executor.chat;

import dev.canopy.executor.chat.jinja.PlainValues;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One message of a conversation, as chat templates see it: {@code message['role']} (or
 * {@code message.role}), {@code message['content']}, and any other fields the message carries, e.g.
 * {@code tool_calls}, {@code tool_call_id}, {@code name} or {@code reasoning_content}.
 *
 * @param role who speaks, e.g. {@code system}, {@code user}, {@code assistant} or {@code tool}; the template
 *     decides which roles it accepts
 * @param content the text of the message; null only for a message with {@code tool_calls} (as OpenAI's API
 *     sends an assistant turn that only calls tools), which templates see as none
 * @param fields the message's other fields as plain values (strings, numbers, booleans, null, lists, maps),
 *     in the order templates iterate them; never {@code role} or {@code content}
 */
public record ChatMessage(String role, String content, Map<String, Object> fields) {

    public ChatMessage {
        if (role == null) {
            throw new IllegalArgumentException("Cannot create chat message: role is null");
        }
        if (fields == null) {
            throw new IllegalArgumentException("Cannot create chat message with role " + role + ": fields is null "
                    + "(use an empty map)");
        }
        if (content == null && !fields.containsKey("tool_calls")) {
            throw new IllegalArgumentException("Cannot create chat message with role " + role + ": content is null");
        }
        if (fields.containsKey("role") || fields.containsKey("content")) {
            throw new IllegalArgumentException("Cannot create chat message with role " + role + ": fields must not "
                    + "repeat role or content");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> plain = (Map<String, Object>) PlainValues.of(fields, "message fields");
        fields = plain;
    }

    /** A message with only a role and a text. */
    public ChatMessage(String role, String content) {
        this(role, content, Map.of());
    }

    /**
     * The message as a template sees it: an unmodifiable map with {@code role}, {@code content}, then the
     * other fields, in that order (so that iterating it is deterministic).
     */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> map = new LinkedHashMap<>(4 + fields.size());
        map.put("role", role);
        map.put("content", content);
        map.putAll(fields);
        return Collections.unmodifiableMap(map);
    }
}
