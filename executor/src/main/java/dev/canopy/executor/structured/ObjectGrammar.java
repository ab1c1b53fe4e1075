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
import java.util.TreeSet;

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

    /** A JSON string that is none of {@code names}: the names' byte trie, leaving it anywhere but at a name's end. */
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
        GrammarNode free = GrammarNode.star(lex.stringChar());
        return JsonTerminals.quoted(notIn(encoded, 0, free));
    }

    private GrammarNode notIn(List<byte[]> names, int depth, GrammarNode free) {
        TreeSet<Integer> nextBytes = new TreeSet<>();
        boolean endsHere = false;
        for (byte[] n : names) {
            if (n.length == depth) {
                endsHere = true;
            } else {
                nextBytes.add(n[depth] & 0xFF);
            }
        }
        List<GrammarNode> options = new ArrayList<>();
        for (int b : nextBytes) {
            List<byte[]> sub = names.stream().filter(n -> n.length > depth && (n[depth] & 0xFF) == b).toList();
            options.add(GrammarNode.seq(new GrammarNode.Bytes(b, b), notIn(sub, depth + 1, free)));
        }
        List<int[]> other = new ArrayList<>();
        other.add(new int[] {0x20, 0x21});
        other.add(new int[] {0x23, 0x5B});
        other.add(new int[] {0x5D, Utf8Ranges.MAX});
        for (int b : nextBytes) {
            other = cut(other, b);
        }
        options.add(GrammarNode.seq(Utf8Ranges.of(other), free));
        options.add(GrammarNode.seq(GrammarNode.literal("\\"), RegexCompiler.whole("([\"\\\\/bfnrt]|u[0-9a-fA-F]{4})", false), free));
        if (!endsHere) {
            options.add(GrammarNode.EMPTY);
        }
        return GrammarNode.alt(options);
    }

    private static List<int[]> cut(List<int[]> ranges, int cp) {
        List<int[]> out = new ArrayList<>();
        for (int[] r : ranges) {
            if (cp < r[0] || cp > r[1]) {
                out.add(r);
                continue;
            }
            if (r[0] < cp) {
                out.add(new int[] {r[0], cp - 1});
            }
            if (cp < r[1]) {
                out.add(new int[] {cp + 1, r[1]});
            }
        }
        return out;
    }
}
