package dev.canopy.executor.structured;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides whether {@code oneOf} options can be compiled as {@code anyOf}: only when no value can match
 * two options, which this checks conservatively (options of different types, different constants,
 * or objects whose shared required property takes disjoint constants). Overlapping options would
 * let through a value valid under two options, which {@code oneOf} forbids.
 */
final class OneOfCheck {

    private OneOfCheck() {}

    static boolean disjoint(List<JsonNode> options) {
        for (int i = 0; i < options.size(); i++) {
            for (int j = i + 1; j < options.size(); j++) {
                if (!disjoint(options.get(i), options.get(j))) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean disjoint(JsonNode a, JsonNode b) {
        if (!a.isObject() || !b.isObject()) {
            return a.isBoolean() && !a.asBoolean() || b.isBoolean() && !b.asBoolean();
        }
        Set<String> ta = types(a);
        Set<String> tb = types(b);
        if (ta != null && tb != null && ta.stream().noneMatch(t -> overlaps(t, tb))) {
            return true;
        }
        Set<JsonNode> va = constants(a);
        Set<JsonNode> vb = constants(b);
        if (va != null && vb != null && va.stream().noneMatch(vb::contains)) {
            return true;
        }
        JsonNode pa = a.path("properties");
        JsonNode pb = b.path("properties");
        for (JsonNode r : a.path("required")) {
            String name = r.asText();
            if (!contains(b.path("required"), name)) {
                if (b.path("additionalProperties").isBoolean() && !b.path("additionalProperties").asBoolean()
                        && !pb.has(name)) {
                    return true; // a requires a property b forbids
                }
                continue;
            }
            Set<JsonNode> ca = constants(pa.path(name));
            Set<JsonNode> cb = constants(pb.path(name));
            if (ca != null && cb != null && ca.stream().noneMatch(cb::contains)) {
                return true;
            }
        }
        for (JsonNode r : b.path("required")) {
            String name = r.asText();
            if (!contains(a.path("required"), name) && a.path("additionalProperties").isBoolean()
                    && !a.path("additionalProperties").asBoolean() && !pa.has(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean overlaps(String t, Set<String> others) {
        return others.contains(t) || t.equals("integer") && others.contains("number")
                || t.equals("number") && others.contains("integer");
    }

    private static boolean contains(JsonNode array, String name) {
        for (JsonNode n : array) {
            if (n.asText().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private static Set<String> types(JsonNode s) {
        if (s.has("const") || s.has("enum")) {
            Set<String> out = new HashSet<>();
            for (JsonNode v : constants(s)) {
                out.add(v.isTextual() ? "string" : v.isIntegralNumber() ? "integer" : v.isNumber() ? "number"
                        : v.isBoolean() ? "boolean" : v.isNull() ? "null" : v.isArray() ? "array" : "object");
            }
            return out;
        }
        return s.has("type") ? new HashSet<>(SchemaMerger.types(s.get("type"))) : null;
    }

    private static Set<JsonNode> constants(JsonNode s) {
        if (s.has("const")) {
            return Set.of(s.get("const"));
        }
        if (s.has("enum")) {
            Set<JsonNode> out = new HashSet<>();
            s.get("enum").forEach(out::add);
            return out;
        }
        return null;
    }
}
