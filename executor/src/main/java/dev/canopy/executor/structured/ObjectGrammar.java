package dev.canopy.executor.structured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The grammar of a JSON object schema. Listed properties come in the schema's order, each optional
 * unless required; extra properties (when {@code additionalProperties} allows them) come after, with
 * names other than the listed ones. The comma logic is a chain of rules: "first member from property
 * j on" and "more members from property j on", so optional properties cost a rule each, not a copy of
 * the rest of the object.
 */
final class ObjectGrammar {

    private final SchemaCompiler compiler;
    private final JsonTerminals lex;

    ObjectGrammar(SchemaCompiler compiler) {
        this.compiler = compiler;
        this.lex = compiler.lex();
    }

    GrammarNode object(JsonNode s, String path) {
        Map<String, JsonNode> props = new LinkedHashMap<>();
        s.path("properties").properties().forEach(e -> props.put(e.getKey(), e.getValue()));
        Set<String> required = new LinkedHashSet<>();
        s.path("required").forEach(n -> required.add(n.asText()));
        JsonNode additional = s.has("additionalProperties") ? s.get("additionalProperties") : BooleanNode.TRUE;
        if (s.has("unevaluatedProperties")) {
            JsonNode u = s.get("unevaluatedProperties");
            if (!(u.isBoolean() && !u.asBoolean()) || s.has("additionalProperties")) {
                throw SchemaCompiler.unsupported("unevaluatedProperties", path);
            }
            additional = u;
        }
        boolean extras = !(additional.isBoolean() && !additional.asBoolean());
        for (String name : required) {
            if (!props.containsKey(name)) {
                if (!extras) {
                    return GrammarNode.NOTHING;
                }
                props.put(name, additional);
            }
        }
        checkCounts(s, props.size(), required.size(), extras, path);
        List<String> names = new ArrayList<>(props.keySet());
        List<GrammarNode> members = new ArrayList<>();
        List<Boolean> isRequired = new ArrayList<>();
        for (String name : names) {
            JsonNode sub = props.get(name);
            if (sub.isBoolean() && !sub.asBoolean()) {
                if (required.contains(name)) {
                    return GrammarNode.NOTHING;
                }
                continue;
            }
            GrammarNode value = new GrammarNode.Call(compiler.rule(sub, path + "/properties/" + name));
            members.add(GrammarNode.seq(GrammarNode.literal(JsonTerminals.encode(name)), colon(), value));
            isRequired.add(required.contains(name));
        }
        GrammarNode extra = extras ? GrammarNode.seq(otherName(names, path), colon(),
                new GrammarNode.Call(compiler.rule(additional, path + "/additionalProperties"))) : null;
        GrammarNode comma = GrammarNode.seq(lex.ws(), GrammarNode.literal(","), lex.ws());
        // more(j): the members after at least one was written, from property j on.
        GrammarNode more = extra == null ? GrammarNode.EMPTY : GrammarNode.star(GrammarNode.seq(comma, extra));
        // first(j): the members when none was written yet, from property j on.
        GrammarNode first = extra == null ? GrammarNode.EMPTY
                : GrammarNode.optional(GrammarNode.seq(extra, GrammarNode.star(GrammarNode.seq(comma, extra))));
        for (int j = members.size() - 1; j >= 0; j--) {
            int memberRule = compiler.addRule(members.get(j));
            GrammarNode member = new GrammarNode.Call(memberRule);
            if (isRequired.get(j)) {
                first = GrammarNode.seq(member, more);
                more = GrammarNode.seq(comma, member, more);
            } else {
                GrammarNode moreRest = shared(more);
                first = GrammarNode.alt(List.of(GrammarNode.seq(member, moreRest), shared(first)));
                more = GrammarNode.alt(List.of(GrammarNode.seq(comma, member, moreRest), moreRest));
            }
        }
        return GrammarNode.seq(GrammarNode.literal("{"), lex.ws(), first, lex.ws(), GrammarNode.literal("}"));
    }

    private GrammarNode shared(GrammarNode node) {
        if (node instanceof GrammarNode.Call || node == GrammarNode.EMPTY) {
            return node;
        }
        return new GrammarNode.Call(compiler.addRule(node));
    }

    private GrammarNode colon() {
        return GrammarNode.seq(lex.ws(), GrammarNode.literal(":"), lex.ws());
    }

    private static void checkCounts(JsonNode s, int listed, int required, boolean extras, String path) {
        if (s.has("minProperties") && s.get("minProperties").asInt() > required) {
            throw SchemaCompiler.unsupported("minProperties above the number of required properties", path);
        }
        if (s.has("maxProperties") && (extras || s.get("maxProperties").asInt() < listed)) {
            throw SchemaCompiler.unsupported("maxProperties below the number of possible properties", path);
        }
    }

    /**
     * A JSON string that is none of {@code names}: the names' byte trie, left anywhere but at a name's end.
     * Leaving it (by an ASCII byte no name continues with there, by any non-ASCII character or by an escape)
     * leads into one shared "any characters" tail, not a copy per trie node: copies made every prefix of a
     * name a separate region of string loops and UTF-8 sequences, which {@link PlainLoops} explored and
     * {@link Subsumption} tried one by one on the first mask at a key (~1 ms for four names). Names are ASCII
     * (checked here), so the non-ASCII characters and escapes leave the trie alike from every node.
     */
    private GrammarNode otherName(List<String> names, String path) {
        List<byte[]> encoded = new ArrayList<>();
        for (String name : names) {
            String inner = JsonTerminals.encode(name);
            byte[] b = inner.substring(1, inner.length() - 1).getBytes(StandardCharsets.UTF_8);
            for (byte x : b) {
                if (x < 0x20 || x == '\\') { // non-ASCII bytes are negative
                    throw SchemaCompiler.unsupported("extra properties beside the non-ASCII or escaped property name '"
                            + name + "'", path);
                }
            }
            encoded.add(b);
        }
        GrammarNode nonAsciiOrEscape = GrammarNode.alt(List.of(
                Utf8Ranges.of(List.<int[]>of(new int[] {0x80, Utf8Ranges.MAX})),
                GrammarNode.seq(GrammarNode.literal("\\"), RegexCompiler.whole("([\"\\\\/bfnrt]|u[0-9a-fA-F]{4})", false))));
        GrammarNode left = GrammarNode.alt(List.of(
                GrammarNode.seq(NameTrie.prefix(encoded, 0), nonAsciiOrEscape), NameTrie.leftByAscii(encoded, 0)));
        GrammarNode free = GrammarNode.star(lex.stringChar());
        // Every text is a listed name or another name, so any plain text can be read from the start.
        return JsonTerminals.quoted(new GrammarNode.ReadsAnyText(
                GrammarNode.alt(List.of(GrammarNode.seq(left, free), NameTrie.properPrefix(encoded, 0)))));
    }
}
