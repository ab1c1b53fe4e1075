package dev.canopy.executor.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the fields of one {@code tokenizer.json} component, naming the file and the field's path
 * (such as {@code pre_tokenizer.pretokenizers[1].pattern}) in every error.
 */
record HfJson(String file, String path, JsonNode node) {

    /** The child {@code name}; a missing child reads as JSON null. */
    HfJson get(String name) {
        JsonNode child = node.get(name);
        return new HfJson(file, path.isEmpty() ? name : path + "." + name,
                child == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : child);
    }

    boolean isNull() {
        return node.isNull() || node.isMissingNode();
    }

    /** The component's {@code type}. */
    String type() {
        return get("type").text();
    }

    /** A required string. */
    String text() {
        if (!node.isTextual()) {
            throw error("expected a string, found " + describe());
        }
        return node.textValue();
    }

    /** An optional string (absent or null reads as empty). */
    Optional<String> textOpt() {
        return isNull() ? Optional.empty() : Optional.of(text());
    }

    boolean bool(boolean defaultValue) {
        if (isNull()) {
            return defaultValue;
        }
        if (!node.isBoolean()) {
            throw error("expected true or false, found " + describe());
        }
        return node.booleanValue();
    }

    int integer() {
        if (!node.canConvertToInt() || !node.isIntegralNumber()) {
            throw error("expected an integer, found " + describe());
        }
        return node.intValue();
    }

    /** The elements of a required array. */
    List<HfJson> elements() {
        if (!node.isArray()) {
            throw error("expected an array, found " + describe());
        }
        List<HfJson> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            out.add(new HfJson(file, path + "[" + i + "]", node.get(i)));
        }
        return out;
    }

    /** An error about this field: "tokenizer.json: field a.b: problem". */
    IllegalArgumentException error(String problem) {
        return new IllegalArgumentException(file + ": field " + (path.isEmpty() ? "(root)" : path) + ": " + problem);
    }

    /** An error for a component type Canopy does not implement. */
    IllegalArgumentException unsupported(String kind, String type, List<String> supported) {
        return get("type").error("unsupported " + kind + " '" + type + "' (supported: " + String.join(", ", supported)
                + "); convert the model with a tokenizer Canopy reads or file an issue naming this component");
    }

    private String describe() {
        String text = node.toString();
        return node.isMissingNode() || node.isNull() ? "nothing" : text.length() > 60 ? text.substring(0, 60) + "…" : text;
    }
}
