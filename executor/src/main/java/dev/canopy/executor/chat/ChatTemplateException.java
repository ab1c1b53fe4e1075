package dev.canopy.executor.chat;

/**
 * A chat template cannot be used at all (it does not parse, is too large, or the model has none), or
 * a caller asked for the text of a failed render. Carries the {@link ChatTemplateError}.
 */
public class ChatTemplateException extends RuntimeException {

    private final ChatTemplateError error;

    public ChatTemplateException(ChatTemplateError error) {
        super(error.message());
        this.error = error;
    }

    public ChatTemplateError error() {
        return error;
    }
}
