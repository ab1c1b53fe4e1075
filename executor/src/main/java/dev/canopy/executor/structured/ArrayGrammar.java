package dev.canopy.executor.structured;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** The grammar of a JSON array schema: tuple items ({@code prefixItems}, draft-4 {@code items} lists), the rest, and item counts. */
final class ArrayGrammar {

    private final SchemaCompiler compiler;

    ArrayGrammar(SchemaCompiler compiler) {
        this.compiler = compiler;
    }

    GrammarNode array(JsonNode s, String path) {
        List<JsonNode> prefix = new ArrayList<>();
        JsonNode rest;
        JsonNode items = s.get("items");
        if (s.has("prefixItems")) {
            s.get("prefixItems").forEach(prefix::add);
            rest = items == null ? bool(true) : items;
        } else if (items != null && items.isArray()) {
            items.forEach(prefix::add);
            rest = s.has("additionalItems") ? s.get("additionalItems") : bool(true);
        } else {
            rest = items == null ? bool(true) : items;
        }
        int min = s.path("minItems").asInt(0);
        int max = s.has("maxItems") ? s.get("maxItems").asInt() : -1;
        boolean restAllowed = !(rest.isBoolean() && !rest.asBoolean());
        if (!restAllowed) {
            max = max < 0 ? prefix.size() : Math.min(max, prefix.size());
        }
        if (max >= 0 && max < min) {
            return GrammarNode.NOTHING;
        }
        JsonTerminals lex = compiler.lex();
        GrammarNode comma = GrammarNode.seq(lex.ws(), GrammarNode.literal(","), lex.ws());
        GrammarNode tail = GrammarNode.EMPTY; // what may follow the tuple's items
        int restMax = max < 0 ? -1 : max - prefix.size();
        if (restAllowed && restMax != 0) {
            GrammarNode item = new GrammarNode.Call(compiler.rule(rest, path + "/items"));
            int restMin = Math.max(0, min - prefix.size());
            tail = GrammarNode.repeat(GrammarNode.seq(comma, item), restMin, restMax);
        }
        // Built from the last tuple item back: item i is required when i < min.
        GrammarNode body = tail;
        int usable = max < 0 ? prefix.size() : Math.min(prefix.size(), max);
        for (int i = usable - 1; i >= 0; i--) {
            GrammarNode item = compiler.value(prefix.get(i), path + "/prefixItems/" + i);
            GrammarNode withItem = GrammarNode.seq(i == 0 ? GrammarNode.EMPTY : comma, item, body);
            body = i >= min ? GrammarNode.optional(withItem) : withItem;
        }
        GrammarNode elements;
        if (prefix.isEmpty()) {
            if (!restAllowed || max == 0) {
                elements = GrammarNode.EMPTY;
            } else {
                GrammarNode item = new GrammarNode.Call(compiler.rule(rest, path + "/items"));
                GrammarNode list = GrammarNode.seq(item, GrammarNode.repeat(GrammarNode.seq(comma, item),
                        Math.max(0, min - 1), max < 0 ? -1 : max - 1));
                elements = min == 0 ? GrammarNode.optional(list) : list;
            }
        } else {
            elements = body;
        }
        return GrammarNode.seq(GrammarNode.literal("["), lex.ws(), elements, lex.ws(), GrammarNode.literal("]"));
    }

    private static JsonNode bool(boolean b) {
        return com.fasterxml.jackson.databind.node.BooleanNode.valueOf(b);
    }
}
