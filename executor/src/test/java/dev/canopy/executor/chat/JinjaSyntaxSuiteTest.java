package dev.canopy.executor.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * One small template per construct chat templates use (operator precedence, slices, namespaces, loops and
 * loop controls, macros and caller, filter and set blocks, whitespace control, string methods, filters,
 * tests, undefined values) renders exactly what Python Jinja2 renders with transformers' settings
 * ({@code chat/syntax/expected.json}); a template Jinja2 refuses to compile fails to compile here too, at
 * the same line, and one that fails when Jinja2 renders it fails here.
 */
class JinjaSyntaxSuiteTest {

    @TestFactory
    Stream<DynamicTest> everyConstructRendersAsJinja2Does() {
        JsonNode expected = JinjaReference.json("syntax/expected.json").get("results");
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : JinjaReference.json("syntax/cases.json")) {
            String name = c.get("name").asText();
            tests.add(DynamicTest.dynamicTest(name, () -> check(c, expected.get(name))));
        }
        assertThat(tests).hasSizeGreaterThan(80);
        return tests.stream();
    }

    @SuppressWarnings("unchecked")
    private static void check(JsonNode c, JsonNode expected) {
        String source = c.get("template").asText();
        if (expected.has("line")) {
            assertThatThrownBy(() -> compile(source)).as("Jinja2: %s", expected.get("message").asText())
                    .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                        assertThat(e.error().line()).as(e.getMessage()).hasValue(expected.get("line").asInt());
                        assertThat(e.getMessage()).startsWith("Cannot render chat template syntax (line "
                                + expected.get("line").asInt() + "): ");
                    });
            return;
        }
        Map<String, Object> vars = c.has("vars") ? (Map<String, Object>) JinjaReference.plain(c.get("vars"), "vars")
                : Map.of();
        List<ChatMessage> messages = new ArrayList<>();
        Map<String, Object> kwargs = new java.util.HashMap<>(vars);
        if (kwargs.remove("messages") instanceof List<?> list) {
            for (Object m : list) {
                messages.add(new ChatMessage((String) ((Map<String, Object>) m).get("role"), ""));
            }
        }
        RenderResult r = compile(source).render(new ChatRequest(messages, null, false, false, kwargs));
        if (expected.has("output")) {
            assertThat(r).isInstanceOf(RenderResult.Rendered.class);
            assertThat(r.textOrThrow()).isEqualTo(expected.get("output").asText());
        } else {
            assertThat(r).as("Jinja2 failed with %s: %s", expected.get("error").asText(), expected.get("message").asText())
                    .isInstanceOfSatisfying(RenderResult.Failed.class,
                            f -> assertThat(f.error().line()).as("the line of a render error").isPresent());
        }
    }

    private static ChatTemplate compile(String source) {
        return ChatTemplate.compile("syntax", source, "<s>", "</s>", ChatTemplateLimits.DEFAULT)
                .withClock(JinjaReference.CLOCK);
    }
}
