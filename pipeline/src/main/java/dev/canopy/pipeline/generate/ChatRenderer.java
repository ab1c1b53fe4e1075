package dev.canopy.pipeline.generate;

import java.util.List;

import dev.canopy.executor.chat.ChatMessage;
import dev.canopy.executor.chat.ChatRequest;

/** Turns a row's chat messages into the prompt text the model continues. */
public interface ChatRenderer {

    /**
     * The prompt for {@code messages}, ending where the assistant's reply starts.
     *
     * @throws IllegalArgumentException naming the problem when the messages cannot be rendered
     */
    String render(List<ChatMessage> messages);

    /**
     * The prompt for {@code request}: its messages with its tools, template variables and switches. A renderer
     * without a template (a test backend) renders the messages alone.
     *
     * @throws IllegalArgumentException naming the problem when the request cannot be rendered
     */
    default String render(ChatRequest request) {
        return render(request.messages());
    }
}
