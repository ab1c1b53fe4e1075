package dev.canopy.executor.chat;

import dev.canopy.executor.chat.jinja.PlainValues;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to render: a conversation and the switches Hugging Face's {@code apply_chat_template} takes.
 *
 * @param messages the conversation
 * @param tools the tool (function) definitions the template may list, as plain values, or null for none
 *     (templates see {@code tools} as none then, as transformers passes it)
 * @param addGenerationPrompt whether to end with the prompt that starts the assistant's reply
 * @param continueFinalMessage whether the last message is an unfinished assistant reply to continue: the
 *     prompt ends right after its text (transformers' {@code continue_final_message})
 * @param kwargs further template variables, e.g. {@code enable_thinking} for Qwen3 (transformers'
 *     {@code chat_template_kwargs}), as plain values
 */
public record ChatRequest(List<ChatMessage> messages, List<Object> tools, boolean addGenerationPrompt,
                          boolean continueFinalMessage, Map<String, Object> kwargs) {

    /** Variables a template gets from the renderer itself, which {@code kwargs} may not replace. */
    static final Set<String> RESERVED = Set.of("messages", "tools", "documents", "add_generation_prompt", "bos_token",
            "eos_token");

    @SuppressWarnings("unchecked")
    public ChatRequest {
        if (messages == null || messages.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("Cannot render a chat template: messages must be a list of non-null "
                    + "messages");
        }
        if (kwargs == null) {
            throw new IllegalArgumentException("Cannot render a chat template: kwargs is null (use an empty map)");
        }
        if (addGenerationPrompt && continueFinalMessage) {
            throw new IllegalArgumentException("Cannot render a chat template with both add_generation_prompt and "
                    + "continue_final_message: the first starts a new assistant turn, the second continues the last "
                    + "one; set only one");
        }
        for (String key : kwargs.keySet()) {
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException("Cannot pass chat template variable '" + key + "' in kwargs: it is "
                        + "set by the renderer; use the request's own field");
            }
        }
        messages = List.copyOf(messages);
        tools = tools == null ? null : (List<Object>) PlainValues.of(tools, "tools");
        kwargs = (Map<String, Object>) PlainValues.of(kwargs, "chat_template_kwargs");
    }

    /** The plain case: {@code messages}, no tools, no extra variables. */
    public static ChatRequest of(List<ChatMessage> messages, boolean addGenerationPrompt) {
        return new ChatRequest(messages, null, addGenerationPrompt, false, Map.of());
    }
}
