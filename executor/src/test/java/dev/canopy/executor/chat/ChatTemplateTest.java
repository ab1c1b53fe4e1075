package dev.canopy.executor.chat;

import static dev.canopy.executor.chat.ChatTemplates.conversation;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.canopy.executor.TestModels;
import dev.canopy.executor.gguf.GgufFile;
import dev.canopy.executor.gguf.GgufWriter;
import dev.canopy.executor.tensor.GgmlType;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real-world chat templates render what Hugging Face's Jinja renders; models without one get the fallback. */
class ChatTemplateTest {

    private static final List<ChatMessage> SYSTEM_USER = conversation("system", "You are helpful.", "user", "Hi!");

    @TempDir
    Path dir;

    @Test
    void llama3() {
        ChatTemplate t = ChatTemplates.compile("llama3.jinja", "<|begin_of_text|>", "<|eot_id|>");
        assertThat(t.render(SYSTEM_USER, true).textOrThrow()).isEqualTo("<|begin_of_text|>"
                + "<|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        assertThat(t.render(conversation("user", "  padded  "), false).textOrThrow()).isEqualTo("<|begin_of_text|>"
                + "<|start_header_id|>user<|end_header_id|>\n\npadded<|eot_id|>");
    }

    @Test
    void llama31WithWhitespaceControlAndTheDate() {
        Clock july26 = Clock.fixed(Instant.parse("2024-07-26T10:00:00Z"), ZoneOffset.UTC);
        ChatTemplate t = ChatTemplates.compile("llama31.jinja", "<|begin_of_text|>", "<|eot_id|>").withClock(july26);
        assertThat(t.render(SYSTEM_USER, true).textOrThrow()).isEqualTo("<|begin_of_text|>"
                + "<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\n"
                + "Today Date: 26 Jul 2024\n\nYou are helpful.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void llama31RejectsAnUnknownRoleWithItsOwnMessageAndLine() {
        ChatTemplate t = ChatTemplates.compile("llama31.jinja", "<s>", "</s>");
        RenderResult r = t.render(conversation("user", "Hi", "tool", "42"), true);
        assertThat(r).isEqualTo(new RenderResult.Failed(new ChatTemplateError("llama31.jinja",
                ChatTemplateError.Reason.RAISED, OptionalInt.of(16),
                "the template raised an exception: Unknown role 'tool' in message 2")));
    }

    @Test
    void chatmlAddsADefaultSystemPrompt() {
        ChatTemplate t = ChatTemplates.compile("chatml.jinja", "", "<|im_end|>");
        assertThat(t.render(conversation("user", "Hi"), true).textOrThrow()).isEqualTo(
                "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n");
        assertThat(t.render(SYSTEM_USER, false).textOrThrow()).isEqualTo(
                "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n");
    }

    @Test
    void mistralAlternatesRolesOrRaises() {
        ChatTemplate t = ChatTemplates.compile("mistral.jinja", "<s>", "</s>");
        assertThat(t.render(conversation("user", "Hi", "assistant", "Hello", "user", "How?"), true).textOrThrow())
                .isEqualTo("<s>[INST] Hi [/INST]Hello</s>[INST] How? [/INST]");
        RenderResult twoUsers = t.render(conversation("user", "Hi", "user", "Again"), true);
        assertThat(twoUsers).isInstanceOfSatisfying(RenderResult.Failed.class, f -> {
            assertThat(f.error().reason()).isEqualTo(ChatTemplateError.Reason.RAISED);
            assertThat(f.error().message()).isEqualTo("Cannot render chat template mistral.jinja (line 1): the "
                    + "template raised an exception: Conversation roles must alternate user/assistant/user/assistant/...");
        });
        assertThat(t.render(SYSTEM_USER, true)).isInstanceOfSatisfying(RenderResult.Failed.class,
                f -> assertThat(f.error().detail()).contains("Conversation roles must alternate"));
    }

    @Test
    void reasoningTemplateUsesNamespacesStringMethodsAndSlices() {
        ChatTemplate t = ChatTemplates.compile("reasoning.jinja", "", "");
        List<ChatMessage> chat = conversation("user", " What is 2+2? ", "assistant", "<think>\n2+2=4\n</think>\n\n4",
                "user", "And 3+3?");
        assertThat(t.render(chat, true).textOrThrow()).isEqualTo("<|user|>What is 2+2?\n<|assistant|>4\n"
                + "<|user|>And 3+3? (last)\n<|assistant|><think>\n");
    }

    @Test
    void messageTextThatLooksLikeATemplateIsNeverRun() {
        RenderResult r = ChatTemplates.render("{{ messages[0].content }}",
                conversation("user", "{{ range(10**9)|length }}{% for i in range(9) %}x{% endfor %}"));
        assertThat(r.textOrThrow()).isEqualTo("{{ range(10**9)|length }}{% for i in range(9) %}x{% endfor %}");
    }

    @Test
    void textIsRenderedExactlyAsGivenControlCharactersIncluded() {
        // Found by ChatTemplateFuzzTest (seed control-character-in-role) when jinjava's printer escaped them.
        String text = "\u000euser\u0001 \t\r\n\u007f \\ ' \" \u2028";
        assertThat(ChatTemplates.render("{{ messages[0].role }}|{{ messages[0].content }}",
                conversation(text, text)).textOrThrow()).isEqualTo(text + "|" + text);
        assertThat(ChatTemplates.render("{{ true }} {{ false }} {{ [1, 'a'] }} {{ {'k': 'v'} }}", List.of())
                .textOrThrow()).isEqualTo("True False [1, 'a'] {'k': 'v'}");
    }

    @Test
    void anEmptyTagFailsToCompileWithTheLine() {
        // Found by ChatTemplateFuzzTest (seed empty-tag-crashes-jinjava): an empty tag crashed jinjava's parser.
        assertThatThrownBy(() -> ChatTemplate.compile("crash.jinja", "{%%}", "", "", ChatTemplateLimits.DEFAULT))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.error().reason()).isEqualTo(ChatTemplateError.Reason.SYNTAX);
                    assertThat(e).hasMessage("Cannot render chat template crash.jinja (line 1): expected a tag name, "
                            + "got end of statement block");
                });
    }

    @Test
    void toolsToolCallsAndTemplateSwitchesReachTheTemplate() {
        String source = "{% for t in tools %}{{ t.function.name }};{% endfor %}{% for m in messages %}{{ m.role }}:"
                + "{{ m.content }}{% for c in m.tool_calls %}[{{ c.function.arguments|tojson }}]{% endfor %}"
                + "{{ m.reasoning_content|default('') }}|{% endfor %}{{ enable_thinking }}";
        ChatTemplate t = ChatTemplate.compile("tools", source, "", "", ChatTemplateLimits.DEFAULT);
        List<Object> tools = List.of(java.util.Map.of("type", "function", "function", java.util.Map.of("name", "f")));
        ChatMessage call = new ChatMessage("assistant", null, java.util.Map.of("tool_calls", List.of(java.util.Map.of(
                "function", java.util.Map.of("name", "f", "arguments", java.util.Map.of("x", 1)))),
                "reasoning_content", "because"));
        RenderResult r = t.render(new ChatRequest(List.of(new ChatMessage("user", "hi"), call), tools, false, false,
                java.util.Map.of("enable_thinking", false)));
        assertThat(r.textOrThrow()).isEqualTo("f;user:hi|assistant:None[{\"x\": 1}]because|False");
    }

    @Test
    void largeToolListsAndLongMacroOutputStayWithinTheDefaultBudget() {
        // Growing output is charged piece by piece, not its whole length at every piece.
        String source = "{{ tools|tojson }}{% macro m(n) %}{% for i in range(n) %}{{ 'abcdefgh' * 20 }}{% endfor %}"
                + "{% endmacro %}{{ m(5000)|length }}";
        List<Object> tools = new java.util.ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            tools.add(java.util.Map.of("type", "function", "function", java.util.Map.of("name", "f" + i,
                    "parameters", java.util.Map.of("a", List.of(1, 2, 3)))));
        }
        RenderResult r = ChatTemplate.compile("tools", source, "", "", ChatTemplateLimits.DEFAULT)
                .render(new ChatRequest(conversation("user", "hi"), tools, true, false, java.util.Map.of()));
        assertThat(r.textOrThrow()).startsWith("[{").endsWith("}]800000");
    }

    @Test
    void continueFinalMessageEndsThePromptAfterTheLastMessage() {
        ChatTemplate t = ChatTemplates.compile("chatml.jinja", "", "<|im_end|>");
        ChatRequest request = new ChatRequest(conversation("user", "Hi", "assistant", "Hello, I am"), null, false, true,
                java.util.Map.of());
        assertThat(t.render(request).textOrThrow()).isEqualTo("<|im_start|>system\nYou are a helpful assistant."
                + "<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello, I am");
        assertThatThrownBy(() -> new ChatRequest(conversation("user", "Hi"), null, true, true, java.util.Map.of()))
                .hasMessageStartingWith("Cannot render a chat template with both add_generation_prompt and "
                        + "continue_final_message");
        assertThatThrownBy(() -> new ChatRequest(conversation("user", "Hi"), null, true, false,
                java.util.Map.of("messages", List.of()))).hasMessage("Cannot pass chat template variable 'messages' in "
                        + "kwargs: it is set by the renderer; use the request's own field");
    }

    @Test
    void messagesReadAsMappingsEitherWay() {
        String source = "{% for m in messages %}{{ m.role }}={{ m['content'] }};{{ m.get('name', '-') }};"
                + "{% for k in m %}{{ k }},{% endfor %}{% for k, v in m.items() %}[{{ k }}:{{ v }}]{% endfor %}|{% endfor %}";
        assertThat(ChatTemplates.render(source, conversation("user", "a", "assistant", "b")).textOrThrow())
                .isEqualTo("user=a;-;role,content,[role:user][content:a]|assistant=b;-;role,content,[role:assistant][content:b]|");
    }

    @Test
    void pythonStringMethods() {
        String source = "{{ '  a b  '.strip() }}|{{ 'xxaxx'.strip('x') }}|{{ ' a'.lstrip() }}|{{ 'a '.rstrip() }}|"
                + "{{ 'abc'.startswith('ab') }}|{{ 'abc'.startswith(['x', 'a']) }}|{{ 'abc'.endswith('bc') }}|"
                + "{{ 'aBc'.upper() }}|{{ 'aBc'.lower() }}|{{ 'hello wORLD'.title() }}|{{ 'hELLO'.capitalize() }}|"
                + "{{ ' a  b '.split() }}|{{ 'a,,b'.split(',') }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'aaa'.replace('a', 'b', 2) }}|"
                + "{{ 'ab'.replace('', '-') }}|{{ 'abc'.find('c') }}|{{ 'abc'.find('z') }}|{{ 'aaa'.count('a') }}|"
                + "{{ '-'.join(['a', 'b']) }}|{{ 'abc'[0] }}{{ 'abc'[-1] }}{{ 'abc'[1:] }}";
        assertThat(ChatTemplates.render(source, List.of()).textOrThrow()).isEqualTo("a b|a|a|a|True|True|True|ABC|abc|"
                + "Hello World|Hello|['a', 'b']|['a', '', 'b']|['a', 'b,c']|bba|-a-b-|2|-1|3|a-b|acbc");
    }

    @Test
    void tojsonWritesJsonAsHuggingFaceDoes() {
        String source = "{{ messages|tojson }}|{{ {'b': [1, 2.5, none, true], 'a': 'x\"\\n'}|tojson(indent=2) }}"
                + "|{{ {'b': 1, 'a': 2}|tojson(sort_keys=true) }}|{{ 'héllo'|tojson }}";
        assertThat(ChatTemplates.render(source, conversation("user", "hi")).textOrThrow()).isEqualTo(
                "[{\"role\": \"user\", \"content\": \"hi\"}]|{\n  \"b\": [\n    1,\n    2.5,\n    null,\n    true\n  ],\n"
                + "  \"a\": \"x\\\"\\n\"\n}|{\"a\": 2, \"b\": 1}|\"héllo\"");
    }

    @Test
    void theModelsOwnTemplateComesFromItsMetadataWithItsSpecialTokens() {
        Path file = dir.resolve("with-template.gguf");
        try (GgufFile base = GgufFile.open(TestModels.stories260kF32())) {
            new GgufWriter(file).putAll(base.metadata())
                    .putString(ChatTemplate.METADATA_KEY, ChatTemplates.source("mistral.jinja"))
                    .addTensor("t", GgmlType.F32, new long[] {4}, new byte[16]).write();
        }
        try (GgufFile f = GgufFile.open(file)) {
            ChatTemplate t = ChatTemplate.fromModel(f.metadata(), ChatTemplateLimits.DEFAULT).orElseThrow();
            assertThat(t.name()).isEqualTo(file + " tokenizer.chat_template");
            assertThat(t.render(conversation("user", "Hi", "assistant", "Yo"), false).textOrThrow())
                    .isEqualTo("<s>[INST] Hi [/INST]Yo</s>");
            assertThat(t.render(conversation("assistant", "Yo"), false)).isInstanceOfSatisfying(RenderResult.Failed.class,
                    failed -> assertThat(failed.error().message()).startsWith("Cannot render chat template " + file
                            + " tokenizer.chat_template (line 1): the template raised an exception: Conversation roles"));
        }
    }

    @Test
    void aModelWithoutATemplateGetsNoneAndThePlainFallbackIsDocumented() {
        try (GgufFile f = GgufFile.open(TestModels.stories260kF32())) {
            assertThat(ChatTemplate.fromModel(f.metadata(), ChatTemplateLimits.DEFAULT)).isEmpty();
        }
        ChatTemplate plain = ChatTemplate.plain(ChatTemplateLimits.DEFAULT);
        assertThat(plain.render(SYSTEM_USER, true).textOrThrow())
                .isEqualTo("system: You are helpful.\n\nuser: Hi!\n\nassistant: ");
        assertThat(plain.render(SYSTEM_USER, false).textOrThrow()).isEqualTo("system: You are helpful.\n\nuser: Hi!\n\n");
    }

    @Test
    void aTemplateThatDoesNotParseFailsAtCompileNamingTheLine() {
        // Jinja2 names the line where the template ended without {% endfor %}: line 3.
        assertThatThrownBy(() -> ChatTemplate.compile("broken.jinja", "line 1\n{% for m in messages %}\n{{ m }}",
                "", "", ChatTemplateLimits.DEFAULT))
                .isInstanceOfSatisfying(ChatTemplateException.class, e -> {
                    assertThat(e.error().reason()).isEqualTo(ChatTemplateError.Reason.SYNTAX);
                    assertThat(e.error().line()).hasValue(3);
                    assertThat(e).hasMessage("Cannot render chat template broken.jinja (line 3): unexpected end of "
                            + "template: the 'for' block is not closed (expected endfor or else)");
                });
    }

    @Test
    void anExpressionErrorFailsTheRowWithTheLine() {
        RenderResult r = ChatTemplates.render("ok\n{{ 1 // 0 }}", List.of());
        assertThat(r).isInstanceOfSatisfying(RenderResult.Failed.class, f -> {
            assertThat(f.error().reason()).isEqualTo(ChatTemplateError.Reason.ERROR);
            assertThat(f.error().line()).hasValue(2);
        });
        assertThatThrownBy(r::textOrThrow).isInstanceOf(ChatTemplateException.class)
                .hasMessageStartingWith("Cannot render chat template inline (line 2): ");
    }

    @Test
    void renderingIsDeterministicAndThreadSafe() throws Exception {
        ChatTemplate t = ChatTemplates.compile("reasoning.jinja", "", "");
        List<ChatMessage> chat = conversation("user", "a", "assistant", "b");
        String expected = t.render(chat, true).textOrThrow();
        List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.ConcurrentLinkedQueue<String> outputs = new java.util.concurrent.ConcurrentLinkedQueue<>();
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                for (int j = 0; j < 25; j++) {
                    outputs.add(t.render(chat, true).textOrThrow());
                }
            }));
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(outputs).hasSize(100).containsOnly(expected);
    }

    @Test
    void invalidArgumentsAreRejected() {
        assertThatThrownBy(() -> new ChatMessage(null, "x")).hasMessage("Cannot create chat message: role is null");
        assertThatThrownBy(() -> new ChatMessage("user", null))
                .hasMessage("Cannot create chat message with role user: content is null");
        ChatTemplate t = ChatTemplate.plain(ChatTemplateLimits.DEFAULT);
        assertThatThrownBy(() -> t.render(null, true))
                .hasMessage("Cannot render chat template plain: messages must be a list of non-null messages");
        assertThatThrownBy(() -> ChatTemplateLimits.DEFAULT.withMaxRenderSteps(0))
                .hasMessage("Cannot use chat template limits (template 1048576, output 4194304, string 4194304, list "
                        + "100000, range 100000, steps 0, depth 64, bytes 536870912): every limit must be at least 1");
    }
}
