package dev.canopy.pipeline.distributed;

/** A row's messages hold more characters than the job allows: the row gets a {@code prompt_too_long} error. */
final class PromptTooLongException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    PromptTooLongException(String message) {
        super(message);
    }
}
