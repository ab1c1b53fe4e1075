package dev.canopy.pipeline.engine;

import java.util.List;

import dev.canopy.executor.chat.ChatMessage;
import dev.canopy.executor.chat.ChatRequest;
import dev.canopy.executor.chat.ChatTemplate;
import dev.canopy.executor.chat.RenderResult;
import dev.canopy.pipeline.generate.ChatRenderer;

/** Renders a row's chat request with the model's own chat template; a failed render fails the row, with its reason. */
final class TemplateChatRenderer implements ChatRenderer {

    private final ChatTemplate template;

    TemplateChatRenderer(ChatTemplate template) {
        this.template = template;
    }

    @Override
    public String render(List<ChatMessage> messages) {
        return render(ChatRequest.of(messages, true));
    }

    @Override
    public String render(ChatRequest request) {
        return switch (template.render(request)) {
            case RenderResult.Rendered rendered -> rendered.text();
            case RenderResult.Failed failed -> throw new IllegalArgumentException(
                    "Cannot render messages with the model's chat template: " + failed.error().message());
        };
    }
}
