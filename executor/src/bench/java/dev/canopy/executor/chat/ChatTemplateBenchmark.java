package dev.canopy.executor.chat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to render one conversation of the corpus ({@code chat/corpus/conversations.json}) with a real template:
 * Qwen3's (namespaces, a reversed slice, string methods, tool calls through {@code tojson}) and Llama 3's (a loop
 * and {@code trim}) for comparison, in one run.
 *
 * <p>Run: {@code scripts/bench.sh jmh ChatTemplateBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChatTemplateBenchmark {

    @Param({"qwen3", "llama3"})
    public String template;

    @Param({"system_multi_turn", "tool_calls_string_arguments_null_content", "reasoning_inline_think"})
    public String conversation;

    private ChatTemplate chat;
    private ChatRequest request;

    @Setup
    public void setup() {
        JsonNode tokens = JinjaReference.json("corpus/templates/" + template + ".json");
        chat = ChatTemplate.compile(template, JinjaReference.text("corpus/templates/" + template + ".jinja"),
                tokens.get("bos_token").asText(), tokens.get("eos_token").asText(), ChatTemplateLimits.DEFAULT);
        for (JsonNode c : JinjaReference.json("corpus/conversations.json")) {
            if (c.get("name").asText().equals(conversation)) {
                // Qwen3 fails on a None content (as Jinja2 does): bench the same turns with empty content instead.
                request = JinjaReference.request(JinjaReference.parse(c.toString().replace("\"content\":null",
                        "\"content\":\"\"")));
            }
        }
    }

    @Benchmark
    public Object render() {
        return chat.render(request).textOrThrow();
    }
}
