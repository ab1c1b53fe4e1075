package dev.canopy.pipeline.input;

/** The input cannot be used at all (missing, unreadable, or a schema the job cannot read); nothing was written. */
public class InvalidInputException extends RuntimeException {

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
