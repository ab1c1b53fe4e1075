package dev.canopy.executor.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Real chat templates (Llama 3, Llama 3.1, Qwen3, Gemma 3, DeepSeek-V3 from their tokenizer_config.json,
 * and the older test templates) × conversations with system prompts, several turns, tools, tool calls and
 * results, reasoning, unicode, enable_thinking, add_generation_prompt and continue_final_message: Canopy's
 * prompt is byte for byte the one Python Jinja2 rendered with transformers' settings, and where Jinja2
 * failed (a template raising on roles it does not accept, a None it cannot search) Canopy fails too.
 */
class ChatTemplateCorpusTest {

    private static final List<String> TEMPLATES = List.of("llama3", "llama3_1", "qwen3", "gemma3", "deepseek_v3",
            "chatml", "llama31", "mistral", "reasoning", "llama3_2");

    @TestFactory
    Stream<DynamicTest> everyTemplateRendersEveryConversationAsJinja2Does() {
        JsonNode conversations = JinjaReference.json("corpus/conversations.json");
        List<DynamicTest> tests = new ArrayList<>();
        for (String name : TEMPLATES) {
            JsonNode tokens = JinjaReference.json("corpus/templates/" + name + ".json");
            ChatTemplate template = ChatTemplate.compile(name, JinjaReference.text("corpus/templates/" + name + ".jinja"),
                    tokens.get("bos_token").asText(), tokens.get("eos_token").asText(), ChatTemplateLimits.DEFAULT)
                    .withClock(JinjaReference.CLOCK);
            JsonNode expected = JinjaReference.json("corpus/expected/" + name + ".json").get("results");
            for (JsonNode c : conversations) {
                String caseName = c.get("name").asText();
                tests.add(DynamicTest.dynamicTest(name + " × " + caseName, () -> check(template,
                        JinjaReference.request(c), expected.get(caseName))));
            }
        }
        assertThat(tests).hasSize(TEMPLATES.size() * conversations.size());
        return tests.stream();
    }

    private static void check(ChatTemplate template, ChatRequest request, JsonNode expected) {
        RenderResult r = template.render(request);
        if (expected.has("output")) {
            assertThat(r).as(expected.toString()).isInstanceOf(RenderResult.Rendered.class);
            assertThat(r.textOrThrow()).isEqualTo(expected.get("output").asText());
        } else {
            assertThat(r).as("Jinja2 failed with %s: %s", expected.get("error").asText(), expected.get("message").asText())
                    .isInstanceOf(RenderResult.Failed.class);
            if (expected.get("error").asText().equals("TemplateError")) {
                assertThat(((RenderResult.Failed) r).error().detail())
                        .isEqualTo("the template raised an exception: " + expected.get("message").asText());
            }
        }
    }
}
