package dev.canopy.pipeline.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.canopy.executor.chat.ChatRequest;
import dev.canopy.pipeline.SharedSpark;
import dev.canopy.pipeline.input.InputFormat;
import dev.canopy.pipeline.input.InputReader;
import dev.canopy.pipeline.input.InputSpec;

/** An OpenAI batch line's tools, tool calls, tool results, reasoning and template switches reach the chat request. */
class OpenAiChatFieldsTest {

    @TempDir
    Path dir;

    @Test
    void theBodysChatFieldsAreRead() throws IOException {
        String line = "{\"custom_id\": \"r1\", \"method\": \"POST\", \"url\": \"/v1/chat/completions\", \"body\": {"
                + "\"messages\": [{\"role\": \"user\", \"content\": \"Weather in Zürich?\"},"
                + " {\"role\": \"assistant\", \"content\": null, \"reasoning_content\": \"call the tool\", \"tool_calls\":"
                + " [{\"id\": \"c1\", \"type\": \"function\", \"function\": {\"name\": \"w\", \"arguments\": \"{\\\"city\\\": 1}\"}}]},"
                + " {\"role\": \"tool\", \"tool_call_id\": \"c1\", \"content\": \"21 C\"}],"
                + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"w\"}}],"
                + " \"chat_template_kwargs\": {\"enable_thinking\": false}, \"add_generation_prompt\": true}}\n";
        Path file = Files.writeString(dir.resolve("batch.jsonl"), line);
        Dataset<Row> rows = InputReader.read(SharedSpark.session(), new InputSpec(file.toString(),
                InputFormat.OPENAI_BATCH));
        Row row = rows.collectAsList().get(0);
        ChatRequest request = ChatRequests.of(row, row.fieldIndex("messages"), 100_000);

        assertThat(request.tools()).isEqualTo(List.of(Map.of("type", "function", "function", Map.of("name", "w"))));
        assertThat(request.kwargs()).isEqualTo(Map.of("enable_thinking", false));
        assertThat(request.addGenerationPrompt()).isTrue();
        assertThat(request.messages().get(1).content()).isNull();
        assertThat(request.messages().get(1).fields()).containsEntry("reasoning_content", "call the tool")
                .containsEntry("tool_calls", List.of(Map.of("id", "c1", "type", "function", "function",
                        Map.of("name", "w", "arguments", "{\"city\": 1}"))));
        assertThat(request.messages().get(2).fields()).isEqualTo(Map.of("tool_call_id", "c1"));
    }
}
