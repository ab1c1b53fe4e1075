package dev.canopy.pipeline.generate;

import java.util.List;

import dev.canopy.executor.chat.ChatMessage;

/** Turns a row's chat messages into the prompt text the model continues. */
public interface ChatRenderer {

    /**
     * The prompt for {@code messages}, ending where the assistant's reply starts.
     *
     * @throws IllegalArgumentException naming the problem when the messages cannot be rendered
     */
    String render(List<ChatMessage> messages);
}
