package dev.canopy.executor.chat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Test helpers: the real-world templates in the test resources, and conversations to render. */
final class ChatTemplates {

    private ChatTemplates() {}

    /** The source of {@code chat-templates/<file>}. */
    static String source(String file) {
        try (InputStream in = ChatTemplates.class.getResourceAsStream("/chat-templates/" + file)) {
            if (in == null) {
                throw new IllegalStateException("Cannot find test template chat-templates/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ChatTemplate compile(String file, String bos, String eos) {
        return ChatTemplate.compile(file, source(file), bos, eos, ChatTemplateLimits.DEFAULT);
    }

    /** Messages from alternating role/content pairs. */
    static List<ChatMessage> conversation(String... roleContentPairs) {
        if (roleContentPairs.length % 2 != 0) {
            throw new IllegalArgumentException("Cannot build a conversation from " + Arrays.toString(roleContentPairs)
                    + ": expected role/content pairs");
        }
        ChatMessage[] messages = new ChatMessage[roleContentPairs.length / 2];
        for (int i = 0; i < messages.length; i++) {
            messages[i] = new ChatMessage(roleContentPairs[2 * i], roleContentPairs[2 * i + 1]);
        }
        return List.of(messages);
    }

    /** Renders inline template {@code source} with default limits and no special tokens. */
    static RenderResult render(String source, List<ChatMessage> messages) {
        return ChatTemplate.compile("inline", source, "<s>", "</s>", ChatTemplateLimits.DEFAULT).render(messages, true);
    }
}
