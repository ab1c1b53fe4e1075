package dev.canopy.executor.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.canopy.executor.chat.ChatMessage;
import dev.canopy.executor.chat.ChatTemplate;
import dev.canopy.executor.chat.ChatTemplateError;
import dev.canopy.executor.chat.ChatTemplateException;
import dev.canopy.executor.chat.ChatTemplateLimits;
import dev.canopy.executor.chat.RenderResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the sandboxed chat-template renderer. An input is UTF-8 text split at NUL characters: the
 * first part is a template (for {@link #renderAnyTemplate}) and the rest are role/content pairs (a
 * fixed conversation when there are none). Whatever the input, compiling fails only with a
 * {@link ChatTemplateException}, rendering never throws, a prompt stays within its limit, and every
 * render ends within its timeout.
 */
class ChatTemplateFuzzTest {

    /** Tight limits, so that hostile inputs are cut short fast and the fuzzer keeps its speed. */
    private static final ChatTemplateLimits LIMITS = new ChatTemplateLimits(1 << 16, 1 << 16, 1 << 16, 1000, 1000,
            20_000, 32, 64L << 20, Duration.ofSeconds(2));
    /** Timeout plus the runner's grace period plus slack for a loaded machine. */
    private static final long MAX_RENDER_MILLIS = 2000 + 1000 + 2000;
    private static final List<ChatMessage> DEFAULT_CHAT = List.of(new ChatMessage("system", "Be brief."),
            new ChatMessage("user", "Hi!"), new ChatMessage("assistant", "Hello."), new ChatMessage("user", "Bye."));

    private static final ChatTemplate CHATML = real("chatml.jinja");
    private static final ChatTemplate LLAMA3 = real("llama3.jinja");
    private static final ChatTemplate MISTRAL = real("mistral.jinja");

    @FuzzTest(maxDuration = "30s")
    void renderAnyTemplate(byte[] input) {
        String[] parts = new String(input, StandardCharsets.UTF_8).split("\0", -1);
        List<ChatMessage> messages = parts.length > 1 ? messages(parts, 1) : DEFAULT_CHAT;
        ChatTemplate template;
        try {
            template = ChatTemplate.compile("fuzz", parts[0], "<s>", "</s>", LIMITS);
        } catch (ChatTemplateException expected) {
            assertThat(expected).hasMessageStartingWith("Cannot render chat template fuzz");
            return;
        }
        checkRender(template, messages, input.length % 2 == 0);
    }

    /** Real templates render any conversation, and never run what a message says. */
    @FuzzTest(maxDuration = "30s")
    void realTemplatesRenderAnyConversation(byte[] input) {
        List<ChatMessage> messages = messages(new String(input, StandardCharsets.UTF_8).split("\0", -1), 0);
        RenderResult chatml = checkRender(CHATML, messages, true);
        assertThat(chatml).isInstanceOf(RenderResult.Rendered.class);
        for (ChatMessage m : messages) {
            assertThat(chatml.textOrThrow()).contains("<|im_start|>" + m.role() + "\n" + m.content() + "<|im_end|>");
        }
        assertThat(checkRender(LLAMA3, messages, true)).isInstanceOf(RenderResult.Rendered.class);
        if (checkRender(MISTRAL, messages, true) instanceof RenderResult.Failed f) {
            assertThat(f.error().reason()).isEqualTo(ChatTemplateError.Reason.RAISED);
        }
    }

    private static RenderResult checkRender(ChatTemplate template, List<ChatMessage> messages, boolean addPrompt) {
        long start = System.nanoTime();
        RenderResult result = template.render(messages, addPrompt);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertThat(millis).as("milliseconds to render").isLessThan(MAX_RENDER_MILLIS);
        switch (result) {
            case RenderResult.Rendered r -> assertThat(r.text().length()).isLessThanOrEqualTo(LIMITS.maxOutputChars());
            case RenderResult.Failed f -> assertThat(f.error().template()).isEqualTo(template.name());
        }
        return result;
    }

    /** Messages from {@code parts[from..]}, read as role/content pairs (a missing last content is empty). */
    private static List<ChatMessage> messages(String[] parts, int from) {
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = from; i < parts.length && messages.size() < LIMITS.maxListSize(); i += 2) {
            messages.add(new ChatMessage(parts[i], i + 1 < parts.length ? parts[i + 1] : ""));
        }
        return messages;
    }

    private static ChatTemplate real(String file) {
        try (InputStream in = ChatTemplateFuzzTest.class.getResourceAsStream("/chat-templates/" + file)) {
            String source = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return ChatTemplate.compile(file, source, "<s>", "</s>", LIMITS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
