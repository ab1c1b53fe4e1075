package dev.canopy.executor.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.canopy.executor.chat.jinja.PlainValues;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the reference outputs Python Jinja2 rendered (test resources under {@code chat/}, written by
 * {@code chat/render_reference.py}) and the inputs they were rendered from.
 */
final class JinjaReference {

    /** The clock render_reference.py gives strftime_now. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-07-26T10:00:00Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private JinjaReference() {}

    static JsonNode json(String resource) {
        return parse(text(resource));
    }

    static JsonNode parse(String jsonText) {
        try {
            return JSON.readTree(jsonText);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String resource) {
        try (InputStream in = JinjaReference.class.getResourceAsStream("/chat/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("Cannot find test resource chat/" + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON value as a template value. */
    static Object plain(JsonNode node, String where) {
        return PlainValues.of(JSON.convertValue(node, Object.class), where);
    }

    /** One conversation of corpus/conversations.json as a request. */
    @SuppressWarnings("unchecked")
    static ChatRequest request(JsonNode c) {
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : c.get("messages")) {
            Map<String, Object> fields = new LinkedHashMap<>((Map<String, Object>) plain(m, "message"));
            String role = (String) fields.remove("role");
            String content = (String) fields.remove("content");
            messages.add(new ChatMessage(role, content, fields));
        }
        List<Object> tools = c.has("tools") ? (List<Object>) plain(c.get("tools"), "tools") : null;
        Map<String, Object> kwargs = c.has("kwargs") ? (Map<String, Object>) plain(c.get("kwargs"), "kwargs") : Map.of();
        return new ChatRequest(messages, tools, c.path("add_generation_prompt").asBoolean(false),
                c.path("continue_final_message").asBoolean(false), kwargs);
    }
}
