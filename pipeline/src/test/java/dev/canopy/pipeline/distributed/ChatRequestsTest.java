package dev.canopy.pipeline.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import dev.canopy.executor.chat.ChatMessage;
import dev.canopy.executor.chat.ChatRequest;
import dev.canopy.executor.chat.ChatTemplate;
import dev.canopy.executor.chat.ChatTemplateLimits;

/**
 * A chat row's tools, tool calls, reasoning and template switches reach the template, as OpenAI batch lines carry
 * them (JSON text in string fields) and as Spark columns.
 */
class ChatRequestsTest {

    private static final StructType MESSAGE = new StructType().add("role", DataTypes.StringType)
            .add("content", DataTypes.StringType).add("tool_calls", DataTypes.StringType)
            .add("reasoning_content", DataTypes.StringType);
    private static final StructType ROW = new StructType()
            .add("messages", DataTypes.createArrayType(MESSAGE))
            .add("tools", DataTypes.StringType)
            .add("chat_template_kwargs", DataTypes.StringType)
            .add("add_generation_prompt", DataTypes.StringType)
            .add("continue_final_message", DataTypes.StringType);

    @Test
    void toolsToolCallsReasoningAndKwargsAreRead() {
        Row row = row(List.of(message("user", "Weather?", null, null),
                message("assistant", null, "[{\"type\": \"function\", \"function\": {\"name\": \"w\", \"arguments\": "
                        + "{\"city\": \"Zürich\"}}}]", "{user wants weather}")),
                "[{\"type\": \"function\", \"function\": {\"name\": \"w\"}}]", "{\"enable_thinking\": false}", null, null);
        ChatRequest request = ChatRequests.of(row, 0, 10_000);
        assertThat(request.tools()).isEqualTo(List.of(Map.of("type", "function", "function", Map.of("name", "w"))));
        assertThat(request.kwargs()).isEqualTo(Map.of("enable_thinking", false));
        assertThat(request.addGenerationPrompt()).isTrue();
        ChatMessage call = request.messages().get(1);
        assertThat(call.content()).isNull();
        assertThat(call.fields()).containsEntry("reasoning_content", "{user wants weather}")
                .containsEntry("tool_calls", List.of(Map.of("type", "function", "function",
                        Map.of("name", "w", "arguments", Map.of("city", "Zürich")))));

        String source = "{% for t in tools %}{{ t.function.name }}{% endfor %}|{% for m in messages %}"
                + "{% for c in m.tool_calls or [] %}{{ c.function.arguments|tojson }}{% endfor %}"
                + "{{ m.reasoning_content or '' }}{% endfor %}|{{ enable_thinking }}|{{ add_generation_prompt }}";
        ChatTemplate template = ChatTemplate.compile("inline", source, "", "", ChatTemplateLimits.DEFAULT);
        assertThat(template.render(request).textOrThrow())
                .isEqualTo("w|{\"city\": \"Zürich\"}{user wants weather}|False|True");
    }

    @Test
    void continueFinalMessageTurnsTheGenerationPromptOff() {
        Row row = row(List.of(message("user", "Hi", null, null), message("assistant", "Hello", null, null)), null, null,
                null, "true");
        ChatRequest request = ChatRequests.of(row, 0, 10_000);
        assertThat(request.continueFinalMessage()).isTrue();
        assertThat(request.addGenerationPrompt()).isFalse();
    }

    @Test
    void badColumnsFailTheRowNamingThem() {
        assertThatThrownBy(() -> ChatRequests.of(row(List.of(message("user", "Hi", null, null)), "{\"a\": 1}", null, null,
                null), 0, 10_000)).hasMessage("Cannot render messages: column tools must be a JSON list of tool "
                        + "definitions");
        assertThatThrownBy(() -> ChatRequests.of(row(List.of(message("user", "Hi", null, null)), null, "[1", null,
                null), 0, 10_000)).hasMessageStartingWith("Cannot render messages: chat_template_kwargs is not valid "
                        + "JSON: ");
        assertThatThrownBy(() -> ChatRequests.of(row(List.of(message("user", "Hi", null, null)), null, null, "yes",
                null), 0, 10_000)).hasMessage("Cannot render messages: column add_generation_prompt must be true or "
                        + "false, got yes");
        assertThatThrownBy(() -> ChatRequests.of(row(List.of(message("assistant", null, null, null)), null, null, null,
                null), 0, 10_000)).hasMessage("Cannot render messages: messages[0].content is null");
    }

    private static Row message(String role, String content, String toolCalls, String reasoning) {
        return new GenericRowWithSchema(new Object[] {role, content, toolCalls, reasoning}, MESSAGE);
    }

    @Test
    void theJobsTemplateVariablesApplyToEveryRowUnderTheRowsOwn() {
        Map<String, Object> job = dev.canopy.pipeline.ChatTemplateKwargs.parse("{\"enable_thinking\": false, \"tone\": \"dry\"}");
        Row plain = row(List.of(message("user", "Hi", null, null)), null, null, null, null);
        Row own = row(List.of(message("user", "Hi", null, null)), null, "{\"enable_thinking\": true}", null, null);

        assertThat(ChatRequests.of(plain, 0, 10_000, job).kwargs())
                .isEqualTo(Map.of("enable_thinking", false, "tone", "dry"));
        assertThat(ChatRequests.of(own, 0, 10_000, job).kwargs()).containsEntry("enable_thinking", true)
                .containsEntry("tone", "dry").hasSize(2);
        assertThatThrownBy(() -> dev.canopy.pipeline.ChatTemplateKwargs.parse("[1, 2]"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Cannot use chat template kwargs: expected a JSON object such as"
                        + " {\"enable_thinking\": false}, got '[1, 2]'");
    }

    private static Row row(List<Row> messages, String tools, String kwargs, String generationPrompt, String continueFinal) {
        return new GenericRowWithSchema(new Object[] {scala.jdk.javaapi.CollectionConverters.asScala(messages).toSeq(),
            tools, kwargs, generationPrompt, continueFinal}, ROW);
    }
}
