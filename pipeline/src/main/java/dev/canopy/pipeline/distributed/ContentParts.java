package dev.canopy.pipeline.distributed;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A chat message's content given as OpenAI content parts ({@code [{"type": "text", "text": "..."}, ...]}): Spark
 * reads such a list into a string field as its JSON text. The text parts are joined with newlines (as vLLM does);
 * another part (an image, audio) cannot go to a text model and fails its row, naming the part.
 */
final class ContentParts {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ContentParts() {}

    /**
     * The text of {@code content}: itself, unless it is a JSON list of objects that each have a string
     * {@code type}, which are read as content parts.
     *
     * @param message the message's position, for errors
     * @throws IllegalArgumentException naming the part that is not text, or a text part without text
     */
    static String text(String content, int message) {
        if (!content.stripLeading().startsWith("[")) {
            return content;
        }
        JsonNode parts;
        try {
            parts = JSON.readTree(content);
        } catch (JacksonException notJson) {
            return content;
        }
        if (!isPartList(parts)) {
            return content;
        }
        List<String> texts = new ArrayList<>(parts.size());
        for (int i = 0; i < parts.size(); i++) {
            JsonNode part = parts.get(i);
            String where = "messages[" + message + "].content[" + i + "]";
            String type = part.get("type").asText();
            if (!type.equals("text")) {
                throw new IllegalArgumentException("Cannot render messages: " + where + " is a part of type '" + type
                        + "'; a text model reads only parts of type 'text'");
            }
            if (!part.path("text").isTextual()) {
                throw new IllegalArgumentException("Cannot render messages: " + where + " is a part of type 'text'"
                        + " without a string 'text'");
            }
            texts.add(part.get("text").asText());
        }
        return String.join("\n", texts);
    }

    private static boolean isPartList(JsonNode node) {
        if (!node.isArray() || node.isEmpty()) {
            return false;
        }
        for (JsonNode part : node) {
            if (!part.isObject() || !part.path("type").isTextual()) {
                return false;
            }
        }
        return true;
    }
}
