package dev.canopy.executor.structured;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON Schemas compiled to grammars accept the values the schema allows and refuse the others, byte by byte. */
class SchemaCompilerTest {

    private static Grammar compact(String schema) {
        return new GrammarCache(false).compile(new Constraint.JsonSchema(schema));
    }

    private static Grammar flexible(String schema) {
        return new GrammarCache(true).compile(new Constraint.JsonSchema(schema));
    }

    @Test
    void enumAcceptsExactlyItsValues() {
        Grammar g = compact("{\"enum\": [\"red\", \"green\", 3, null]}");
        assertThat(List.of("\"red\"", "\"green\"", "3", "null")).allMatch(g::matches);
        assertThat(List.of("\"blue\"", "\"re\"", "4", "\"red\" ")).noneMatch(g::matches);
        assertThat(g.isPrefix("\"gr")).isTrue();
    }

    @Test
    void nestedObjectsKeepPropertyOrderAndRequireWhatIsRequired() {
        Grammar g = compact("""
                {"type": "object", "additionalProperties": false, "required": ["name", "address"],
                 "properties": {"name": {"type": "string"}, "age": {"type": "integer", "minimum": 0},
                   "address": {"type": "object", "required": ["city"], "additionalProperties": false,
                     "properties": {"city": {"type": "string", "maxLength": 5}}}}}""");
        assertThat(g.matches("{\"name\":\"Ann\",\"age\":31,\"address\":{\"city\":\"Oslo\"}}")).isTrue();
        assertThat(g.matches("{\"name\":\"Ann\",\"address\":{\"city\":\"Oslo\"}}")).isTrue();
        assertThat(g.matches("{\"name\":\"Ann\",\"age\":-1,\"address\":{\"city\":\"Oslo\"}}")).isFalse();
        assertThat(g.matches("{\"name\":\"Ann\",\"address\":{\"city\":\"Bergen\"}}")).isFalse();
        assertThat(g.matches("{\"name\":\"Ann\"}")).isFalse();
        assertThat(g.matches("{\"name\":\"Ann\",\"address\":{\"city\":\"Oslo\"},\"x\":1}")).isFalse();
    }

    @Test
    void extraPropertiesComeAfterTheListedOnesWithOtherNames() {
        Grammar g = compact("{\"type\": \"object\", \"properties\": {\"id\": {\"type\": \"integer\"}}}");
        assertThat(g.matches("{\"id\":1,\"note\":[true,{\"a\":null}]}")).isTrue();
        assertThat(g.matches("{\"note\":\"x\"}")).isTrue();
        assertThat(g.matches("{\"id\":1,\"id\":\"one\"}")).as("a listed name is not an extra property").isFalse();
        assertThat(g.matches("{\"i\":\"one\",\"idx\":2}")).isTrue();
    }

    @Test
    void arraysCountTheirItems() {
        Grammar g = flexible("{\"type\": \"array\", \"items\": {\"type\": \"boolean\"}, \"minItems\": 1, \"maxItems\": 2}");
        assertThat(g.matches("[true]")).isTrue();
        assertThat(g.matches("[ true , false ]")).isTrue();
        assertThat(g.matches("[]")).isFalse();
        assertThat(g.matches("[true,false,true]")).isFalse();
    }

    @Test
    void patternsMatchAnywhereUnlessAnchored() {
        assertThat(compact("{\"type\": \"string\", \"pattern\": \"^[A-Z]{2}-[0-9]+$\"}").matches("\"AB-12\"")).isTrue();
        assertThat(compact("{\"type\": \"string\", \"pattern\": \"^[A-Z]{2}-[0-9]+$\"}").matches("\"AB-12x\"")).isFalse();
        assertThat(compact("{\"type\": \"string\", \"pattern\": \"[0-9]\"}").matches("\"abc7def\"")).isTrue();
        assertThat(compact("{\"type\": \"string\", \"pattern\": \"[0-9]\"}").matches("\"abcdef\"")).isFalse();
        assertThat(compact("{\"type\": \"string\", \"pattern\": \"^a\\\"b$\"}").matches("\"a\\\"b\"")).as("quote escaped in JSON").isTrue();
    }

    @Test
    void recursiveRefsNest() {
        Grammar g = compact("""
                {"$ref": "#/$defs/node", "$defs": {"node": {"type": "object", "additionalProperties": false,
                  "required": ["v"], "properties": {"v": {"type": "integer"},
                  "children": {"type": "array", "items": {"$ref": "#/$defs/node"}}}}}}""");
        assertThat(g.matches("{\"v\":1,\"children\":[{\"v\":2,\"children\":[{\"v\":3}]},{\"v\":4}]}")).isTrue();
        assertThat(g.matches("{\"v\":1,\"children\":[{\"w\":2}]}")).isFalse();
    }

    @Test
    void numericBoundsAreExact() {
        Grammar g = compact("{\"type\": \"number\", \"exclusiveMinimum\": -2, \"maximum\": 10}");
        assertThat(List.of("-1.99", "0", "9.5", "10", "10.000", "-0.5")).allMatch(g::matches);
        assertThat(List.of("-2", "-2.0", "10.01", "11", "100")).noneMatch(g::matches);
        Grammar i = compact("{\"type\": \"integer\", \"minimum\": 18, \"maximum\": 120}");
        assertThat(List.of("18", "99", "100", "120")).allMatch(i::matches);
        assertThat(List.of("17", "121", "200", "18.5", "018")).noneMatch(i::matches);
    }

    @Test
    void anyOfAndDisjointOneOfAndAllOf() {
        assertThat(compact("{\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"null\"}]}").matches("null")).isTrue();
        assertThat(compact("{\"oneOf\": [{\"type\": \"string\"}, {\"type\": \"integer\"}]}").matches("7")).isTrue();
        Grammar all = compact("{\"allOf\": [{\"type\": \"object\", \"properties\": {\"a\": {\"type\": \"integer\"}}, "
                + "\"required\": [\"a\"]}, {\"properties\": {\"b\": {\"type\": \"string\"}}, \"required\": [\"b\"]}]}");
        assertThat(all.matches("{\"a\":1,\"b\":\"x\"}")).isTrue();
        assertThat(all.matches("{\"a\":1}")).isFalse();
    }

    @Test
    void unsupportedFeaturesAreCompileErrorsNamingThem() {
        assertThatThrownBy(() -> compact("{\"type\": \"array\", \"uniqueItems\": true}"))
                .isInstanceOf(UnsupportedSchemaException.class).hasMessageContaining("uniqueItems at #");
        assertThatThrownBy(() -> compact("{\"properties\": {\"n\": {\"type\": \"number\", \"multipleOf\": 3}}}"))
                .hasMessageContaining("multipleOf 3 at #/properties/n");
        assertThatThrownBy(() -> compact("{\"oneOf\": [{\"type\": \"object\"}, {\"type\": \"object\", \"required\": [\"a\"]}]}"))
                .hasMessageContaining("oneOf with options that may overlap");
        assertThatThrownBy(() -> compact("{\"type\": \"string\", \"pattern\": \"(?=a)b\"}"))
                .hasMessageContaining("lookaround");
        assertThatThrownBy(() -> compact("{\"$ref\": \"other.json#/a\"}")).hasMessageContaining("outside this schema");
    }

    @Test
    void regexAndChoiceConstraints() {
        GrammarCache cache = new GrammarCache(false);
        Grammar date = cache.compile(new Constraint.Regex("[0-9]{4}-[0-9]{2}-[0-9]{2}"));
        assertThat(date.matches("2024-01-31")).isTrue();
        assertThat(date.matches("2024-1-31")).isFalse();
        Grammar choice = cache.compile(new Constraint.Choice(List.of("yes", "no", "maybe")));
        assertThat(choice.matches("maybe")).isTrue();
        assertThat(choice.matches("may")).isFalse();
        assertThat(cache.compile(new Constraint.Regex("[0-9]{4}-[0-9]{2}-[0-9]{2}"))).as("compiled once").isSameAs(date);
    }

    @Test
    void stringFormatsAndLengthsCountCharactersNotBytes() {
        Grammar g = compact("{\"type\": \"string\", \"minLength\": 2, \"maxLength\": 3}");
        assertThat(g.matches("\"æøå\"")).isTrue();
        assertThat(g.matches("\"a\\nb\"")).as("an escape is one character").isTrue();
        assertThat(g.matches("\"æøåæ\"")).isFalse();
        Grammar date = compact("{\"type\": \"string\", \"format\": \"date\"}");
        assertThat(date.matches("\"2023-12-31\"")).isTrue();
        assertThat(date.matches("\"2023-13-01\"")).isFalse();
    }
}
