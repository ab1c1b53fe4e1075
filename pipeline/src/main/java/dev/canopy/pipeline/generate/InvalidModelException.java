package dev.canopy.pipeline.generate;

/** The model file is missing, unreadable or not a model the engine can run; nothing was generated. */
public class InvalidModelException extends RuntimeException {

    public InvalidModelException(String message) {
        super(message);
    }

    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
