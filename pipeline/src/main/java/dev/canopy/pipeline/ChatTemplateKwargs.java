package dev.canopy.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** A job's chat template variables ({@code --chat-template-kwargs}), given as the text of a JSON object. */
public final class ChatTemplateKwargs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatTemplateKwargs() {}

    /**
     * The variables of {@code json} in their order; null gives none.
     *
     * @throws IllegalArgumentException when the text is not a JSON object, with an example of one
     */
    public static Map<String, Object> parse(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            Map<String, Object> map = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
            if (map == null) {
                throw new IllegalArgumentException("Cannot use chat template kwargs: expected a JSON object such as"
                        + " {\"enable_thinking\": false}, got null");
            }
            return map;
        } catch (JacksonException e) {
            throw new IllegalArgumentException("Cannot use chat template kwargs: expected a JSON object such as"
                    + " {\"enable_thinking\": false}, got '" + json + "': " + e.getOriginalMessage());
        }
    }
}
