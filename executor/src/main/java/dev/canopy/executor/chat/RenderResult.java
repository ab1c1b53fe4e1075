package dev.canopy.executor.chat;

/**
 * The outcome of rendering one conversation: the prompt text, or why there is none. A failure is a
 * value, not an exception, so that one bad row does not stop a batch job.
 */
public sealed interface RenderResult {

    /** The template rendered {@code text}. */
    record Rendered(String text) implements RenderResult {
        public Rendered {
            if (text == null) {
                throw new IllegalArgumentException("Cannot create a rendered result: text is null");
            }
        }
    }

    /** The template failed on this conversation. */
    record Failed(ChatTemplateError error) implements RenderResult {
        public Failed {
            if (error == null) {
                throw new IllegalArgumentException("Cannot create a failed result: error is null");
            }
        }
    }

    /**
     * The rendered text.
     *
     * @throws ChatTemplateException carrying the error, if the render failed
     */
    default String textOrThrow() {
        return switch (this) {
            case Rendered r -> r.text();
            case Failed f -> throw new ChatTemplateException(f.error());
        };
    }
}
