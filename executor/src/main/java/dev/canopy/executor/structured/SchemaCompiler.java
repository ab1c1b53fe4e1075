package dev.canopy.executor.structured;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles a JSON Schema (drafts 4 to 2020-12, as real schemas use them) into a {@link Grammar}.
 * Supported: {@code type} (one or several), {@code enum}, {@code const}, {@code $ref} to
 * {@code #...} pointers (recursion included), {@code definitions}/{@code $defs}, {@code anyOf},
 * {@code oneOf} (when its options cannot overlap), {@code allOf} (merged), string {@code minLength}/{@code maxLength}/
 * {@code pattern}/{@code format} (date, time, date-time, uuid, ipv4, email; other formats are not
 * checked), whole-number {@code minimum}/{@code maximum} and their exclusive forms,
 * {@code minItems}/{@code maxItems}, {@code items}/{@code prefixItems}, {@code properties},
 * {@code required} and {@code additionalProperties}. Properties come in the order the schema lists
 * them, extra properties after them. Any other validation keyword is an {@link UnsupportedSchemaException}
 * naming it and its location; keywords that do not validate (titles, descriptions, unknown words) are ignored.
 */
final class SchemaCompiler {

    /** Keywords that constrain instances; one this compiler does not handle is refused rather than ignored. */
    private static final Set<String> VALIDATION = Set.of("type", "enum", "const", "multipleOf", "maximum",
            "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "items",
            "additionalItems", "prefixItems", "maxItems", "minItems", "uniqueItems", "contains", "minContains",
            "maxContains", "maxProperties", "minProperties", "required", "properties", "patternProperties",
            "additionalProperties", "dependencies", "dependentRequired", "dependentSchemas", "propertyNames", "if",
            "then", "else", "allOf", "anyOf", "oneOf", "not", "$ref", "format", "unevaluatedProperties",
            "unevaluatedItems", "$dynamicRef", "$recursiveRef");
    private static final String DATE = "([0-9]{4}-((0[13578]|1[02])-(0[1-9]|[12][0-9]|3[01])|(0[469]|11)-(0[1-9]|[12][0-9]|30)"
            + "|02-(0[1-9]|1[0-9]|2[0-8]))|([0-9]{2}(0[48]|[2468][048]|[13579][26])|([02468][048]|[13579][26])00)-02-29)";
    private static final String TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])";
    private static final String LABEL = "[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?";
    /** Formats checked exactly (the benchmark's validators check them); a real calendar date, RFC 3339 times. */
    private static final Map<String, String> FORMATS = Map.of(
            "date", DATE,
            "time", TIME,
            "date-time", DATE + "[Tt]" + TIME,
            "uuid", "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}",
            "ipv4", "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])",
            "email", "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]+)*@" + LABEL + "(\\." + LABEL + ")+",
            "hostname", LABEL + "(\\." + LABEL + ")*",
            "uri", "[a-zA-Z][a-zA-Z0-9+.-]*:[a-zA-Z0-9._~:/?#\\[\\]@!$&'()*+,;=%-]*");
    /** Formats of the JSON Schema specification this compiler does not check: refused, since validators check them. */
    private static final Set<String> UNCHECKED_STANDARD_FORMATS = Set.of("duration", "idn-email", "idn-hostname", "ipv6",
            "uri-reference", "iri", "iri-reference", "uri-template", "json-pointer", "relative-json-pointer", "regex");

    private final JsonNode root;
    private final RuleSet rules = new RuleSet();
    private final Map<String, Integer> refRules = new HashMap<>();
    private final JsonTerminals lex;
    private int anyRule = -1;

    private SchemaCompiler(JsonNode root, boolean flexibleWhitespace) {
        this.root = root;
        this.lex = new JsonTerminals(flexibleWhitespace);
    }

    /**
     * The grammar of JSON values valid under {@code schema}.
     *
     * @param flexibleWhitespace allow JSON whitespace between tokens; otherwise compact JSON only
     * @throws UnsupportedSchemaException naming the first unsupported feature and its location
     */
    static Grammar compile(JsonNode schema, boolean flexibleWhitespace) {
        SchemaCompiler c = new SchemaCompiler(schema, flexibleWhitespace);
        int top = c.rules.declare();
        c.refRules.put("#", top);
        try {
            c.rules.define(top, c.value(schema, "#"));
            return new Grammar(c.rules, "JSON schema");
        } catch (StackOverflowError e) { // e.g. allOf/$ref chains that merge into themselves
            throw new UnsupportedSchemaException("Cannot compile schema: it nests or refers to itself deeper than the"
                    + " compiler can follow (simplify its $ref/allOf chains)");
        }
    }

    JsonTerminals lex() {
        return lex;
    }

    /** The grammar of values valid under {@code schema} at {@code path}. */
    GrammarNode value(JsonNode schema, String path) {
        if (schema.isBoolean()) {
            return schema.asBoolean() ? any() : GrammarNode.NOTHING;
        }
        if (!schema.isObject()) {
            throw unsupported("a schema that is not an object or boolean", path);
        }
        java.util.Optional<List<JsonNode>> listed = FiniteValues.listed(schema, schema == root);
        if (listed.isPresent()) { // e.g. allOf [enum, not ...]: keep the values the validator accepts
            return GrammarNode.alt(FiniteValues.valid(schema, root, listed.get(), path).stream().map(lex::constant).toList());
        }
        if (schema.has("$ref")) {
            ObjectNode rest = ((ObjectNode) schema).deepCopy();
            rest.remove("$ref");
            if (!hasValidation(rest)) {
                return new GrammarNode.Call(ref(schema.get("$ref").asText(), path));
            }
            return value(SchemaMerger.merge(rest, resolve(schema.get("$ref").asText(), path), path), path);
        }
        if (schema.has("allOf")) {
            ObjectNode merged = ((ObjectNode) schema).deepCopy();
            merged.remove("allOf");
            int i = 0;
            for (JsonNode part : schema.get("allOf")) {
                merged = SchemaMerger.merge(merged, inlineRef(part, path), path + "/allOf/" + i++);
            }
            return value(merged, path);
        }
        for (String key : new String[] {"anyOf", "oneOf"}) {
            if (schema.has(key)) {
                ObjectNode rest = ((ObjectNode) schema).deepCopy();
                rest.remove(key);
                List<GrammarNode> options = new ArrayList<>();
                if (key.equals("oneOf")) {
                    List<JsonNode> resolved = new ArrayList<>();
                    schema.get(key).forEach(o -> resolved.add(inlineRef(o, path)));
                    if (!OneOfCheck.disjoint(resolved)) {
                        throw unsupported("oneOf with options that may overlap", path);
                    }
                }
                int i = 0;
                for (JsonNode option : schema.get(key)) {
                    String at = path + "/" + key + "/" + i++;
                    options.add(hasValidation(rest) ? value(SchemaMerger.merge(rest, inlineRef(option, at), at), at) : value(option, at));
                }
                return GrammarNode.alt(options);
            }
        }
        checkSupported(schema, path);
        if (schema.has("not")) {
            JsonNode not = schema.get("not");
            if (not.isObject() && not.isEmpty() || not.isBoolean() && not.asBoolean()) {
                return GrammarNode.NOTHING;
            }
            throw unsupported("not", path);
        }
        if (schema.has("const") || schema.has("enum")) {
            List<GrammarNode> options = new ArrayList<>();
            List<String> allowed = schema.has("type") ? SchemaMerger.types(schema.get("type")) : null;
            JsonNode values = schema.has("const") ? JSON_ARRAY.arrayNode().add(schema.get("const")) : schema.get("enum");
            for (JsonNode v : values) {
                if (allowed == null || allowed.contains(jsonType(v)) || jsonType(v).equals("integer") && allowed.contains("number")) {
                    options.add(lex.constant(v));
                }
            }
            return GrammarNode.alt(options);
        }
        List<String> types = schema.has("type") ? SchemaMerger.types(schema.get("type")) : inferTypes(schema);
        if (types.isEmpty() && !schema.has("type")) {
            return any();
        }
        List<GrammarNode> options = new ArrayList<>();
        for (String type : types) {
            options.add(typed(type, schema, path));
        }
        if (schema.path("nullable").asBoolean(false) && !types.contains("null")) {
            options.add(GrammarNode.literal("null"));
        }
        return GrammarNode.alt(options);
    }

    private GrammarNode typed(String type, JsonNode s, String path) {
        return switch (type) {
            case "null" -> GrammarNode.literal("null");
            case "boolean" -> GrammarNode.alt(List.of(GrammarNode.literal("true"), GrammarNode.literal("false")));
            case "integer", "number" -> number(s, type.equals("integer"), path);
            case "string" -> string(s, path);
            case "array" -> new ArrayGrammar(this).array(s, path);
            case "object" -> new ObjectGrammar(this).object(s, path);
            default -> throw unsupported("type '" + type + "'", path);
        };
    }

    private GrammarNode number(JsonNode s, boolean integer, String path) {
        if (s.has("multipleOf")) {
            BigDecimal m = s.get("multipleOf").decimalValue();
            if (m.compareTo(BigDecimal.ONE) != 0) {
                throw unsupported("multipleOf " + m, path);
            }
            integer = true;
        }
        NumberRanges.Bound lo = bound(s, "minimum", "exclusiveMinimum", path);
        NumberRanges.Bound hi = bound(s, "maximum", "exclusiveMaximum", path);
        if (lo == null && hi == null) {
            return RegexCompiler.whole(integer ? JsonTerminals.INTEGER : JsonTerminals.NUMBER, false);
        }
        String regex = NumberRanges.of(lo, hi, integer);
        return regex == null ? GrammarNode.NOTHING : RegexCompiler.whole(regex, false);
    }

    private NumberRanges.Bound bound(JsonNode s, String inclusiveKey, String exclusiveKey, String path) {
        JsonNode inclusive = s.get(inclusiveKey);
        JsonNode exclusive = s.get(exclusiveKey);
        JsonNode value;
        boolean isExclusive;
        if (exclusive != null && exclusive.isNumber()) {
            if (inclusive != null && inclusive.isNumber()
                    && inclusive.decimalValue().compareTo(exclusive.decimalValue()) != 0) {
                boolean exclusiveTighter = inclusiveKey.equals("minimum")
                        ? exclusive.decimalValue().compareTo(inclusive.decimalValue()) >= 0
                        : exclusive.decimalValue().compareTo(inclusive.decimalValue()) <= 0;
                value = exclusiveTighter ? exclusive : inclusive;
                isExclusive = exclusiveTighter;
            } else {
                value = exclusive;
                isExclusive = true;
            }
        } else if (inclusive != null) {
            value = inclusive;
            isExclusive = exclusive != null && exclusive.asBoolean(false); // draft 4: boolean exclusive flag
        } else {
            return null;
        }
        if (!value.isNumber()) {
            throw unsupported(inclusiveKey + " that is not a number", path);
        }
        BigDecimal v = value.decimalValue();
        var whole = NumberRanges.whole(v);
        if (whole.isEmpty()) {
            throw unsupported(inclusiveKey + " " + v.toPlainString() + " (only whole-number bounds)", path);
        }
        if (whole.get().abs().bitLength() > 60) {
            throw unsupported(inclusiveKey + " " + v.toPlainString() + " (bound too large)", path);
        }
        return new NumberRanges.Bound(whole.get(), isExclusive);
    }

    private GrammarNode string(JsonNode s, String path) {
        int min = s.path("minLength").asInt(0);
        int max = s.has("maxLength") ? s.get("maxLength").asInt() : -1;
        String format = s.path("format").asText("");
        if (UNCHECKED_STANDARD_FORMATS.contains(format)) {
            throw unsupported("format '" + format + "'", path);
        }
        String pattern = s.has("pattern") ? s.get("pattern").asText() : null;
        boolean lengths = min > 0 || max >= 0;
        if (pattern != null) {
            if (lengths || FORMATS.containsKey(format)) {
                throw unsupported("pattern together with a length or format", path);
            }
            return JsonTerminals.patternString(pattern);
        }
        if (FORMATS.containsKey(format)) {
            if (lengths) {
                throw unsupported("format together with a length", path);
            }
            return JsonTerminals.regexString(FORMATS.get(format));
        }
        if (max >= 0 && max < min) {
            return GrammarNode.NOTHING;
        }
        return lex.string(min, max);
    }

    /** Any JSON value (a shared recursive rule). */
    GrammarNode any() {
        if (anyRule < 0) {
            anyRule = rules.declare();
            GrammarNode ws = lex.ws();
            GrammarNode self = new GrammarNode.Call(anyRule);
            GrammarNode comma = GrammarNode.seq(ws, GrammarNode.literal(","), ws);
            GrammarNode member = GrammarNode.seq(lex.string(0, -1), ws, GrammarNode.literal(":"), ws, self);
            GrammarNode object = GrammarNode.seq(GrammarNode.literal("{"), ws,
                    GrammarNode.optional(GrammarNode.seq(member, GrammarNode.star(GrammarNode.seq(comma, member)))), ws,
                    GrammarNode.literal("}"));
            GrammarNode array = GrammarNode.seq(GrammarNode.literal("["), ws,
                    GrammarNode.optional(GrammarNode.seq(self, GrammarNode.star(GrammarNode.seq(comma, self)))), ws,
                    GrammarNode.literal("]"));
            rules.define(anyRule, GrammarNode.alt(List.of(object, array, lex.string(0, -1),
                    RegexCompiler.whole(JsonTerminals.NUMBER, false), GrammarNode.literal("true"),
                    GrammarNode.literal("false"), GrammarNode.literal("null"))));
        }
        return new GrammarNode.Call(anyRule);
    }

    /** A rule holding the grammar of {@code schema}, to call from several places. */
    int rule(JsonNode schema, String path) {
        if (schema.isObject() && schema.size() == 1 && schema.has("$ref")) {
            return ref(schema.get("$ref").asText(), path);
        }
        int id = rules.declare();
        rules.define(id, value(schema, path));
        return id;
    }

    int addRule(GrammarNode body) {
        return rules.add(body);
    }

    private int ref(String ref, String path) {
        Integer id = refRules.get(ref);
        if (id != null) {
            return id;
        }
        JsonNode target = resolve(ref, path);
        int rule = rules.declare();
        refRules.put(ref, rule);
        rules.define(rule, value(target, ref));
        return rule;
    }

    private JsonNode inlineRef(JsonNode schema, String path) {
        JsonNode s = schema;
        for (int hops = 0; s.isObject() && s.has("$ref") && hops < 16; hops++) {
            ObjectNode rest = ((ObjectNode) s).deepCopy();
            rest.remove("$ref");
            s = SchemaMerger.merge(rest, resolve(s.get("$ref").asText(), path), path);
        }
        return s;
    }

    private JsonNode resolve(String ref, String path) {
        if (!ref.startsWith("#")) {
            throw unsupported("$ref '" + ref + "' outside this schema", path);
        }
        JsonNode node = root;
        String pointer = URLDecoder.decode(ref.substring(1), StandardCharsets.UTF_8);
        if (pointer.isEmpty()) {
            return root;
        }
        if (!pointer.startsWith("/")) {
            throw unsupported("$ref '" + ref + "' (anchors)", path);
        }
        for (String part : pointer.substring(1).split("/", -1)) {
            String key = part.replace("~1", "/").replace("~0", "~");
            node = node.isArray() && key.matches("[0-9]+") ? node.path(Integer.parseInt(key)) : node.path(key);
            if (node.isMissingNode()) {
                throw new UnsupportedSchemaException("Cannot compile schema: $ref '" + ref + "' at " + path
                        + " points to nothing");
            }
        }
        return node;
    }

    private static final com.fasterxml.jackson.databind.node.JsonNodeFactory JSON_ARRAY =
            com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;

    private static String jsonType(JsonNode v) {
        return v.isTextual() ? "string" : v.isIntegralNumber() || v.isNumber() && NumberRanges.whole(v.decimalValue()).isPresent()
                ? "integer" : v.isNumber() ? "number" : v.isBoolean() ? "boolean" : v.isNull() ? "null"
                : v.isArray() ? "array" : "object";
    }

    private static List<String> inferTypes(JsonNode s) {
        List<String> types = new ArrayList<>();
        if (s.has("properties") || s.has("required") || s.has("additionalProperties")) {
            types.add("object");
        }
        if (s.has("items") || s.has("prefixItems") || s.has("minItems") || s.has("maxItems")) {
            types.add("array");
        }
        if (s.has("minLength") || s.has("maxLength") || s.has("pattern") || s.has("format")) {
            types.add("string");
        }
        if (s.has("minimum") || s.has("maximum") || s.has("exclusiveMinimum") || s.has("exclusiveMaximum")) {
            types.add("number");
        }
        return types;
    }

    private static boolean hasValidation(JsonNode s) {
        Iterator<String> it = s.fieldNames();
        while (it.hasNext()) {
            if (VALIDATION.contains(it.next())) {
                return true;
            }
        }
        return false;
    }

    private static final Set<String> REFUSED = Set.of("uniqueItems", "contains", "minContains", "maxContains",
            "patternProperties", "dependencies", "dependentRequired", "dependentSchemas", "propertyNames", "if",
            "then", "else", "unevaluatedItems", "$dynamicRef", "$recursiveRef");

    private static void checkSupported(JsonNode s, String path) {
        Iterator<String> it = s.fieldNames();
        while (it.hasNext()) {
            String key = it.next();
            if (REFUSED.contains(key) && !(key.equals("uniqueItems") && !s.get(key).asBoolean())) {
                throw unsupported(key, path);
            }
        }
    }

    static UnsupportedSchemaException unsupported(String what, String path) {
        return new UnsupportedSchemaException("Cannot compile schema: " + what + " at " + path + " is not supported");
    }
}
