package dev.canopy.executor.structured;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Grammar pieces of JSON's lexical level: whitespace, strings, numbers, literals and constant values. */
final class JsonTerminals {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<int[]> ANY_CHAR = List.of(new int[] {0, Utf8Ranges.MAX});
    static final String NUMBER = "-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?";
    static final String INTEGER = "-?(0|[1-9][0-9]*)";

    private final GrammarNode ws;
    private final GrammarNode stringChar;

    JsonTerminals(boolean flexibleWhitespace) {
        ws = flexibleWhitespace
                ? GrammarNode.star(GrammarNode.alt(List.of(GrammarNode.literal(" "), GrammarNode.literal("\t"),
                        GrammarNode.literal("\n"), GrammarNode.literal("\r"))))
                : GrammarNode.EMPTY;
        GrammarNode escape = GrammarNode.seq(GrammarNode.literal("\\"), GrammarNode.alt(List.of(
                RegexCompiler.whole("[\"\\\\/bfnrt]", false), RegexCompiler.whole("u[0-9a-fA-F]{4}", false))));
        GrammarNode plain = Utf8Ranges.of(Utf8Ranges.normalize(List.of(
                new int[] {0x20, 0x21}, new int[] {0x23, 0x5B}, new int[] {0x5D, Utf8Ranges.MAX})));
        stringChar = GrammarNode.alt(List.of(plain, escape));
    }

    /** Optional whitespace between tokens (nothing in compact mode). */
    GrammarNode ws() {
        return ws;
    }

    /** One character inside a JSON string, written plainly or as an escape. */
    GrammarNode stringChar() {
        return stringChar;
    }

    /** A JSON string of {@code min} to {@code max} characters (max < 0: unbounded). */
    GrammarNode string(int min, int max) {
        return GrammarNode.seq(GrammarNode.literal("\""), GrammarNode.repeat(stringChar, min, max), GrammarNode.literal("\""));
    }

    /** A JSON string whose text matches {@code body} (a grammar over the escaped text inside the quotes). */
    static GrammarNode quoted(GrammarNode body) {
        return GrammarNode.seq(GrammarNode.literal("\""), body, GrammarNode.literal("\""));
    }

    /** A JSON string whose text matches the regular expression {@code pattern} anywhere (JSON Schema's {@code pattern}). */
    static GrammarNode patternString(String pattern) {
        return quoted(RegexCompiler.search(pattern, true));
    }

    /** A JSON string whose whole text matches {@code regex}. */
    static GrammarNode regexString(String regex) {
        return quoted(RegexCompiler.whole(regex, true));
    }

    static GrammarNode anyCharJson() {
        return RegexCompiler.charSet(ANY_CHAR, true);
    }

    /** Exactly {@code value}, with optional whitespace where JSON allows it. */
    GrammarNode constant(JsonNode value) {
        if (value.isObject()) {
            List<GrammarNode> parts = new ArrayList<>();
            parts.add(GrammarNode.literal("{"));
            parts.add(ws);
            Iterator<Map.Entry<String, JsonNode>> it = value.properties().iterator();
            boolean first = true;
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!first) {
                    parts.add(GrammarNode.seq(ws, GrammarNode.literal(","), ws));
                }
                first = false;
                parts.add(GrammarNode.literal(encode(e.getKey())));
                parts.add(GrammarNode.seq(ws, GrammarNode.literal(":"), ws));
                parts.add(constant(e.getValue()));
            }
            parts.add(ws);
            parts.add(GrammarNode.literal("}"));
            return new GrammarNode.Seq(parts);
        }
        if (value.isArray()) {
            List<GrammarNode> parts = new ArrayList<>();
            parts.add(GrammarNode.literal("["));
            parts.add(ws);
            for (int i = 0; i < value.size(); i++) {
                if (i > 0) {
                    parts.add(GrammarNode.seq(ws, GrammarNode.literal(","), ws));
                }
                parts.add(constant(value.get(i)));
            }
            parts.add(ws);
            parts.add(GrammarNode.literal("]"));
            return new GrammarNode.Seq(parts);
        }
        if (value.isNumber() && value.isIntegralNumber() == false && NumberRanges.whole(value.decimalValue()).isPresent()) {
            String whole = NumberRanges.whole(value.decimalValue()).get().toString();
            return GrammarNode.alt(List.of(GrammarNode.literal(whole), GrammarNode.literal(encode(value))));
        }
        return GrammarNode.literal(encode(value));
    }

    /** {@code value} as compact JSON text. */
    static String encode(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write JSON: " + e.getMessage(), e);
        }
    }
}
