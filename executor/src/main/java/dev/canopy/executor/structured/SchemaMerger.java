package dev.canopy.executor.structured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Combines two schemas into one that accepts what both accept, for {@code allOf} and for
 * {@code anyOf}/{@code oneOf} options with sibling keywords. Keywords whose combination is not a
 * simple intersection (two different patterns, two additionalProperties schemas) are refused.
 */
final class SchemaMerger {

    private static final Set<String> LOWER_BOUNDS = Set.of("minimum", "minLength", "minItems", "minProperties");
    private static final Set<String> UPPER_BOUNDS = Set.of("maximum", "maxLength", "maxItems", "maxProperties");

    private SchemaMerger() {}

    static ObjectNode merge(JsonNode a, JsonNode b, String path) {
        ObjectNode out = a.isObject() ? ((ObjectNode) a).deepCopy() : JsonNodeFactory.instance.objectNode();
        if (a.isBoolean() && !a.asBoolean() || b.isBoolean() && !b.asBoolean()) {
            out.put("not", JsonNodeFactory.instance.objectNode());
            return out;
        }
        if (!b.isObject()) {
            return out;
        }
        Iterator<Map.Entry<String, JsonNode>> it = b.properties().iterator();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode mine = out.get(key);
            JsonNode theirs = e.getValue();
            if (mine == null || mine.equals(theirs)) {
                out.set(key, theirs);
                continue;
            }
            out.set(key, combine(key, mine, theirs, path));
        }
        return out;
    }

    private static JsonNode combine(String key, JsonNode mine, JsonNode theirs, String path) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        switch (key) {
            case "properties" -> {
                ObjectNode props = ((ObjectNode) mine).deepCopy();
                Iterator<Map.Entry<String, JsonNode>> it = theirs.properties().iterator();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> p = it.next();
                    JsonNode existing = props.get(p.getKey());
                    if (existing == null) {
                        props.set(p.getKey(), p.getValue());
                    } else if (!existing.equals(p.getValue())) {
                        ObjectNode both = f.objectNode();
                        both.putArray("allOf").add(existing).add(p.getValue());
                        props.set(p.getKey(), both);
                    }
                }
                return props;
            }
            case "required" -> {
                Set<String> names = new LinkedHashSet<>();
                mine.forEach(n -> names.add(n.asText()));
                theirs.forEach(n -> names.add(n.asText()));
                ArrayNode arr = f.arrayNode();
                names.forEach(arr::add);
                return arr;
            }
            case "type" -> {
                List<String> common = new ArrayList<>();
                for (String t : types(mine)) {
                    if (types(theirs).contains(t) || t.equals("integer") && types(theirs).contains("number")) {
                        common.add(t);
                    } else if (t.equals("number") && types(theirs).contains("integer")) {
                        common.add("integer");
                    }
                }
                ArrayNode arr = f.arrayNode();
                common.forEach(arr::add);
                return arr;
            }
            case "enum" -> {
                ArrayNode arr = f.arrayNode();
                mine.forEach(v -> {
                    for (JsonNode w : theirs) {
                        if (w.equals(v)) {
                            arr.add(v);
                            return;
                        }
                    }
                });
                return arr;
            }
            case "title", "description", "$schema", "$id", "id", "default", "examples", "$comment", "definitions", "$defs" -> {
                return mine;
            }
            case "allOf", "anyOf", "oneOf" -> {
                if (key.equals("allOf")) {
                    ArrayNode arr = ((ArrayNode) mine).deepCopy();
                    theirs.forEach(arr::add);
                    return arr;
                }
                throw new UnsupportedSchemaException("Cannot compile schema: two " + key + " combined at " + path + " are not supported");
            }
            default -> {
                if (LOWER_BOUNDS.contains(key) && mine.isNumber() && theirs.isNumber()) {
                    return mine.decimalValue().compareTo(theirs.decimalValue()) >= 0 ? mine : theirs;
                }
                if (UPPER_BOUNDS.contains(key) && mine.isNumber() && theirs.isNumber()) {
                    return mine.decimalValue().compareTo(theirs.decimalValue()) <= 0 ? mine : theirs;
                }
                throw new UnsupportedSchemaException("Cannot compile schema: allOf with two different '" + key
                        + "' at " + path + " is not supported");
            }
        }
    }

    static List<String> types(JsonNode type) {
        List<String> out = new ArrayList<>();
        if (type.isTextual()) {
            out.add(type.asText());
        } else {
            type.forEach(t -> out.add(t.asText()));
        }
        return out;
    }
}
