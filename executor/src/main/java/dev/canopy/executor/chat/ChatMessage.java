package dev.canopy.executor.chat;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One message of a conversation, as chat templates see it: {@code message['role']} (or
 * {@code message.role}) and {@code message['content']}.
 *
 * @param role who speaks, e.g. {@code system}, {@code user} or {@code assistant}; the template decides
 *     which roles it accepts
 * @param content the text of the message
 */
public record ChatMessage(String role, String content) {

    public ChatMessage {
        if (role == null) {
            throw new IllegalArgumentException("Cannot create chat message: role is null");
        }
        if (content == null) {
            throw new IllegalArgumentException("Cannot create chat message with role " + role + ": content is null");
        }
    }

    /**
     * The message as a template sees it: an unmodifiable map with the keys {@code role} and
     * {@code content}, in that order (so that iterating it is deterministic).
     */
    Map<String, Object> asTemplateValue() {
        Map<String, Object> map = new LinkedHashMap<>(4);
        map.put("role", role);
        map.put("content", content);
        return Collections.unmodifiableMap(map);
    }
}
