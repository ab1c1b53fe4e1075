package dev.canopy.executor.structured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion.VersionFlag;
import com.networknt.schema.SpecVersionDetector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Schemas that list their values ({@code enum} or {@code const} beside or inside {@code allOf}) but also
 * use keywords the grammar cannot express, such as {@code not}: the values are finitely many, so each
 * listed value is checked against the whole schema with a JSON Schema validator (networknt) and the
 * grammar is the alternation of those that pass. Exact for any keyword the validator knows, whatever
 * the grammar supports. Without {@code $schema} a value must be valid under both drafts 2019-09 and
 * 2020-12 (they read {@code items} arrays differently), so no reading of the schema rejects it.
 */
final class FiniteValues {

    private FiniteValues() {}

    /**
     * The values listed at the top of {@code schema} or in one of its {@code allOf} parts, when the schema
     * also has {@code allOf} or {@code not} and its references stay inside it: none below the root (they
     * would need the document around the schema), only {@code #...} pointers and no {@code $id} at the
     * root (so the validator never loads another document); empty otherwise.
     */
    static Optional<List<JsonNode>> listed(JsonNode schema, boolean atRoot) {
        if (!schema.isObject() || !(schema.has("allOf") || schema.has("not")) || !selfContained(schema, atRoot)) {
            return Optional.empty();
        }
        Optional<List<JsonNode>> own = values(schema);
        if (own.isPresent()) {
            return own;
        }
        for (JsonNode part : schema.path("allOf")) {
            Optional<List<JsonNode>> inPart = values(part);
            if (inPart.isPresent()) {
                return inPart;
            }
        }
        return Optional.empty();
    }

    private static boolean selfContained(JsonNode schema, boolean atRoot) {
        List<JsonNode> refs = schema.findValues("$ref");
        if (refs.isEmpty()) {
            return true;
        }
        boolean local = refs.stream().allMatch(r -> !r.isTextual() || r.asText().startsWith("#"));
        boolean ids = !schema.findValues("$id").isEmpty() || schema.findValues("id").stream().anyMatch(JsonNode::isTextual);
        return atRoot && local && !ids;
    }

    private static Optional<List<JsonNode>> values(JsonNode schema) {
        List<JsonNode> out = new ArrayList<>();
        if (schema.has("const")) {
            out.add(schema.get("const"));
        } else if (schema.path("enum").isArray()) {
            schema.get("enum").forEach(out::add);
        } else {
            return Optional.empty();
        }
        return Optional.of(out);
    }

    /**
     * The {@code candidates} valid under {@code schema}, whose draft comes from {@code root}'s {@code $schema}.
     *
     * @throws UnsupportedSchemaException when the validator cannot read the schema, naming {@code path}
     */
    static List<JsonNode> valid(JsonNode schema, JsonNode root, List<JsonNode> candidates, String path) {
        ObjectNode bare = ((ObjectNode) schema).deepCopy();
        bare.remove("$schema"); // the draft is chosen here; a $schema URL must not make the validator fetch it
        List<VersionFlag> drafts = SpecVersionDetector.detectOptionalVersion(root, false).map(List::of)
                .orElse(List.of(VersionFlag.V201909, VersionFlag.V202012));
        List<JsonSchema> validators = new ArrayList<>();
        try {
            for (VersionFlag draft : drafts) {
                validators.add(JsonSchemaFactory.getInstance(draft).getSchema(bare));
            }
            List<JsonNode> out = new ArrayList<>();
            for (JsonNode v : candidates) {
                if (validators.stream().allMatch(s -> s.validate(v).isEmpty())) {
                    out.add(v);
                }
            }
            return out;
        } catch (RuntimeException e) {
            throw new UnsupportedSchemaException("Cannot compile schema: the validator cannot check its listed values at "
                    + path + " (" + e.getMessage() + ")");
        }
    }
}
